/**
 * spec/ska.md §8, §12.6: `next` is unsigned, so only a same-origin relative path is
 * followed: one leading `/` (which also rules out a scheme), never `//`, no `\`
 * anywhere (browsers read it as `/`, so `/\evil` means `//evil`), and no control
 * characters (browsers drop tabs and newlines: `/\t/evil` would become `//evil`).
 */
export function isSafeNext(next: string): boolean {
  return next.startsWith('/') && !next.startsWith('//') && !/[\\\u0000-\u001f\u007f]/.test(next);
}

/** Where a successful login goes: a safe `next`, else the provider's redirect, else `/`. */
export function loginTarget(next: string | undefined, providerRedirect: string | null | undefined): string {
  if (next !== undefined && isSafeNext(next)) return next;
  return providerRedirect ?? '/';
}
