// Discuss: reading.js
