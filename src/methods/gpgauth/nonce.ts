import { randomUUID } from 'node:crypto';

// spec/gpgauth.md §9 (GPG-4): version on both sides, length always 36, a v4 UUID.
const NONCE = /^gpgauthv1\.3\.0\|36\|([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\|gpgauthv1\.3\.0$/i;

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
