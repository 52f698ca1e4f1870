import type { SkaProvider } from '../../store/ska.js';
import { EXTRA_PARAM, PROVIDER_PARAM } from './constants.js';
import type { SkaParams } from './validate.js';
import type { SkaAlgorithm } from './algorithms.js';
import type { SkaQuoter } from './quote.js';
import type { SkaKey } from './sign.js';

export interface GlobalKeySettings {
  secret?: string | undefined;
  algorithm: SkaAlgorithm;
  quoter: SkaQuoter;
}

export type KeyChoice = { key: SkaKey; provider: SkaProvider | null } | { problem: 'unknown_provider' | 'no_global_key'; description: string };

/**
 * spec/ska.md §7, SKA-7: a named provider's key, never the global one when a
 * provider is named (upstream falls back and then crashes); else the global key.
 */
export function chooseKey(providerName: string | undefined, findProvider: (name: string) => SkaProvider | undefined, global: GlobalKeySettings): KeyChoice {
  if (providerName !== undefined) {
    const provider = findProvider(providerName);
    if (!provider) return { problem: 'unknown_provider', description: 'unknown provider' };
    return { key: { secret: provider.secret, algorithm: provider.algorithm, quoter: provider.quoter }, provider };
  }
  if (global.secret === undefined) return { problem: 'no_global_key', description: 'no ska.secret is configured: requests must name a provider' };
  return { key: { secret: global.secret, algorithm: global.algorithm, quoter: global.quoter }, provider: null };
}

/** A provider's allowed-users pattern matches the whole user name. */
export function userAllowed(provider: SkaProvider | null, user: string): boolean {
  if (!provider?.allowedUsers) return true;
  return new RegExp(`^(?:${provider.allowedUsers})$`, 'u').test(user);
}

/**
 * `[ska] require_signed_provider` (spec/ska.md §12.6): the provider the key came
 * from must be named in the params and listed among the signed extra names.
 */
export function providerIsSigned(params: SkaParams): boolean {
  return params.has(PROVIDER_PARAM) && (params.get(EXTRA_PARAM) ?? '').split(',').includes(PROVIDER_PARAM);
}
