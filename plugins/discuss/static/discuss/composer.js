// Discuss: composer.js
