import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { keyFromJwk, type PublicKeyInfo } from './keys.js';

export interface JwksSettings {
  /** Milliseconds a downloaded set is used (spec/jwt.md §8: 300 s). */
  ttlMs: number;
  /** Milliseconds between two downloads of one URL caused by an unknown kid (§11.6). */
  refreshIntervalMs: number;
  timeoutMs: number;
  maxBytes: number;
}

interface Entry {
  keys: ReadonlyMap<string, PublicKeyInfo>;
  fetchedAt: number;
  /** A failed download is retried after `refreshIntervalMs`, not `ttlMs`. */
  failed: boolean;
}

export class JwksFetchError extends Error {}

/**
 * Downloads a JWK set with bounded time and size, no redirects, and keeps only the
 * RSA and Ed25519 signing keys that carry a kid (spec/jwt.md §8).
 */
export async function downloadJwks(url: string, settings: Pick<JwksSettings, 'timeoutMs' | 'maxBytes'>): Promise<Map<string, PublicKeyInfo>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(settings.timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new JwksFetchError(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > settings.maxBytes) {
    await res.body.cancel();
    throw new JwksFetchError(`document of ${declared} bytes exceeds ${settings.maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > settings.maxBytes) throw new JwksFetchError(`document exceeds ${settings.maxBytes} bytes`);
    chunks.push(chunk);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new JwksFetchError('document is not JSON');
  }
  const list = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new JwksFetchError('document has no "keys" list');
  const keys = new Map<string, PublicKeyInfo>();
  for (const jwk of list) {
    const found = keyFromJwk(jwk);
    if (found && !keys.has(found.kid)) keys.set(found.kid, found.info);
  }
  return keys;
}

/**
 * JWKS trust (JWT-8): one cached set per URL, a key chosen by kid, one more download
 * on a miss (at most once per refresh interval per URL), concurrent lookups sharing
 * one download. Download errors make the URL yield no key; they are never thrown.
 */
export class JwksCache {
  readonly #settings: JwksSettings;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();
  /** Downloads started, for tests and logs. */
  downloads = 0;

  constructor(settings: JwksSettings, clock: Clock, logger: Logger) {
    this.#settings = settings;
    this.#clock = clock;
    this.#logger = logger;
  }

  async keyFor(url: string, kid: string | undefined): Promise<PublicKeyInfo | undefined> {
    if (kid === undefined) return undefined;
    let entry = this.#entries.get(url);
    let fresh = false;
    if (!entry || this.#expired(entry)) {
      entry = await this.#refresh(url);
      fresh = true;
    }
    const key = entry.keys.get(kid);
    if (key || fresh || this.#clock.now() - entry.fetchedAt < this.#settings.refreshIntervalMs) return key;
    return (await this.#refresh(url)).keys.get(kid);
  }

  #expired(entry: Entry): boolean {
    const life = entry.failed ? this.#settings.refreshIntervalMs : this.#settings.ttlMs;
    return this.#clock.now() - entry.fetchedAt >= life;
  }

  #refresh(url: string): Promise<Entry> {
    const running = this.#inflight.get(url);
    if (running) return running;
    this.downloads++;
    const download = downloadJwks(url, this.#settings).then(
      (keys): Entry => ({ keys, fetchedAt: this.#clock.now(), failed: false }),
      (err: unknown): Entry => {
        const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : String((err as Error).message ?? err);
        this.#logger.warn('jwt.jwks_fetch_failed', { url, reason });
        return { keys: new Map(), fetchedAt: this.#clock.now(), failed: true };
      },
    );
    const stored = download.then((entry) => {
      this.#entries.set(url, entry);
      this.#inflight.delete(url);
      return entry;
    });
    this.#inflight.set(url, stored);
    return stored;
  }
}
