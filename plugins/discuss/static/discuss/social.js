// Discuss: social.js
