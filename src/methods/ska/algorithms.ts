/** ska's signature classes: HMAC over one hash each (spec/ska.md §1, SKA-2). */
export const skaAlgorithms = ['HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512', 'HMAC-MD5'] as const;
export type SkaAlgorithm = (typeof skaAlgorithms)[number];

/** MD5 is allowed only for a provider explicitly configured with it. */
export const globalSkaAlgorithms = ['HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512'] as const;

const hashes: Record<SkaAlgorithm, string> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA224': 'sha224',
  'HMAC-SHA256': 'sha256',
  'HMAC-SHA384': 'sha384',
  'HMAC-SHA512': 'sha512',
  'HMAC-MD5': 'md5',
};

export const hashOf = (algorithm: SkaAlgorithm): string => hashes[algorithm];

/** Accepts `HMAC-SHA256`, `hmac-sha256` or `sha256`; undefined for anything else. */
export function parseSkaAlgorithm(name: string): SkaAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('HMAC-') ? upper : `HMAC-${upper}`;
  return (skaAlgorithms as readonly string[]).includes(full) ? (full as SkaAlgorithm) : undefined;
}
