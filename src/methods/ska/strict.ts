import type { ExtraPairs } from './sign.js';

/** spec/ska.md §12.1: what real signers produce; defeats forgery 1 (`_` in float()). */
export const strictValidUntil = /^\d{1,12}(\.\d{1,6})?$/;

/** An `&` later followed by `=` would re-split into other keys (forgery 3). */
const resplits = /&.*=/s;

/**
 * The hardening checks of spec/ska.md §12.1, shared by signer and verifier.
 * Returns why the input is refused, or undefined.
 */
export function forgeryRisk(validUntil: string, authUser: string, extra: ExtraPairs, allowPercentInUser: boolean): string | undefined {
  if (!strictValidUntil.test(validUntil)) return 'valid_until must be epoch seconds (digits, optionally a fraction)';
  // Forgery 2: the quoted extra always contains `%`, so a user holding one could be an extra.
  if (!allowPercentInUser && authUser.includes('%')) return 'auth_user must not contain "%"';
  for (const [key, value] of extra) {
    if (key === '' || key.includes('&') || key.includes('=')) return `extra key "${key}" must be non-empty and contain neither "&" nor "="`;
    if (resplits.test(value)) return `extra value of "${key}" contains "&" followed by "="`;
  }
  return undefined;
}
