export interface CookieSettings {
  /** The configured name, without prefix. */
  cookie_name: string;
  secure: boolean;
}

/** `__Host-` binds the cookie to this exact origin (Secure, Path=/, no Domain); only possible when Secure. */
export const sessionCookieName = (settings: CookieSettings) => (settings.secure ? `__Host-${settings.cookie_name}` : settings.cookie_name);

/** The Set-Cookie value for a session id; `maxAgeSeconds` 0 clears it. */
export function sessionCookie(settings: CookieSettings, value: string, maxAgeSeconds: number): string {
  const parts = [`${sessionCookieName(settings)}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (settings.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The value of cookie `name` in a Cookie request header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
