/**
 * Python's percent-encoders, reproduced byte for byte (spec/ska.md §2, §4, §6).
 * `encodeURIComponent` leaves `A-Za-z0-9-_.~!'()*` literal with upper-case hex;
 * Python's `quote` additionally escapes `!'()*`.
 */

const pyExtraEscapes = /[!'()*]/g;
const escapeChar = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** True when `value` can be encoded as UTF-8 (no lone surrogates). */
export const isWellFormed = (value: string): boolean => !/\p{Cs}/u.test(value);

/** `urllib.parse.quote(value)` with the default `safe='/'` (SKA-1). */
export function quotePy(value: string): string {
  return encodeURIComponent(value).replace(pyExtraEscapes, escapeChar).replaceAll('%2F', '/');
}

/** `urllib.parse.quote_plus(value, safe='')`, as `urlencode` applies it (SKA-4). */
export function quotePlusPy(value: string): string {
  return encodeURIComponent(value).replace(pyExtraEscapes, escapeChar).replaceAll('%20', '+');
}

/** ska's opt-in `javascript_quoter`: `quote(safe="~()*!.'")`, i.e. `encodeURIComponent` (§6). */
export function quoteJs(value: string): string {
  return encodeURIComponent(value);
}

export type SkaQuoter = 'default' | 'javascript';

export const quoterOf = (name: SkaQuoter): ((value: string) => string) => (name === 'javascript' ? quoteJs : quotePy);

/** A UTF-16 unit ranked as its code point: surrogates (astral planes) sort after U+E000–U+FFFF. */
const codePointRank = (unit: number): number => (unit < 0xd800 ? unit : unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

/** Python string order: by Unicode code point, not by UTF-16 code unit (spec/ska.md §2). */
export function compareCodePoints(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}
