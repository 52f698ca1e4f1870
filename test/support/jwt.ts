import { ManualClock } from '../../src/clock.js';
import { parsePublicKey } from '../../src/methods/jwt/keys.js';
import type { Store } from '../../src/store/store.js';

/** The vectors' time: tokens made for it are fresh on this clock. */
export const VECTOR_TIME = 1_700_000_000;
export const vectorClock = () => new ManualClock(VECTOR_TIME * 1000);

/** POST /v1/jwt/verify and the parsed answer. */
export async function verifyJwt(baseUrl: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/v1/jwt/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Adds a user (if needed) and registers a public key for it, as `jwt key add` does. */
export function addKey(store: Store, username: string, publicKeyText: string): string {
  const user = store.users.findByUsername(username) ?? store.users.add({ username });
  const parsed = parsePublicKey(publicKeyText);
  store.jwt.addKey({ userId: user.id, fingerprint: parsed.fingerprint, keyType: parsed.type, publicKey: parsed.pem, comment: parsed.comment ?? null });
  return parsed.fingerprint;
}
