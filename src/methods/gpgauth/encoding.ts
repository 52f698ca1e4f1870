// spec/gpgauth.md §6: PHP quotemeta(urlencode(armored)) for X-GPGAuth-User-Auth-Token.

/** PHP urlencode: A-Z a-z 0-9 _ . - literal, space → +, every other byte → %XX (upper-case). */
function phpUrlencode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.-]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** quotemeta only meets `.` and `+` after urlencode: every other meta character is %-encoded. */
export const encodeUserAuthToken = (armored: string) => phpUrlencode(armored).replace(/[.+]/g, '\\$&');

/** PHP stripslashes(urldecode(header)), as passbolt clients decode it. */
export const decodeUserAuthToken = (header: string) => decodeURIComponent(header.replace(/\+/g, ' ')).replace(/\\(.)/g, '$1');
