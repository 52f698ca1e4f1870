import { randomUUID } from 'node:crypto';

// spec/gpgauth.md §9 (GPG-4): version on both sides, length always 36, a v4 UUID.
const NONCE = /^gpgauthv1\.3\.0\|36\|([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\|gpgauthv1\.3\.0$/i;

/**
 * Cap on what decrypting a handshake message may decompress to. A nonce is 68 bytes,
 * but OpenPGP.js inflates without limit by default, and an 800-byte bzip2 message can
 * expand to hundreds of megabytes (a denial of service on unauthenticated stage 0).
 */
export const NONCE_DECRYPT_CONFIG = { maxDecompressedMessageSize: 4096 } as const;

/** Longest armored stage-0 token taken (an RSA-4096 encrypted and signed nonce is about 2 KB). */
export const MAX_ARMORED_TOKEN = 16_384;

/**
 * Most session-key packets a stage-0 token may carry. OpenPGP.js tries every one that
 * names the server key (28 copies for an RSA-3072 key cost 1.9 s instead of 0.1 s);
 * real clients encrypt to the server, perhaps also to themselves.
 */
export const MAX_TOKEN_RECIPIENTS = 4;

export const formatNonce = (uuid: string) => `gpgauthv1.3.0|36|${uuid}|gpgauthv1.3.0`;

/** A fresh nonce and the UUID inside it. */
export function newNonce(): { uuid: string; nonce: string } {
  const uuid = randomUUID();
  return { uuid, nonce: formatNonce(uuid) };
}

/** The UUID (lower-case) when `text` is a well-formed nonce, else undefined. */
export function parseNonce(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  return NONCE.exec(text)?.[1]?.toLowerCase();
}
