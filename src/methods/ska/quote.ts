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

/** Python string order: by Unicode code point, not by UTF-16 code unit (spec/ska.md §2). */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const diff = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}
