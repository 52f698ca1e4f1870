/** gpgAuth's name in login sessions, audit rows and regulation keys (kept apart so routes need not load OpenPGP.js). */
export const METHOD = 'gpgauth';
