import { createHmac } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { SkaSuccess } from './service.js';

/**
 * ska's Django callbacks (spec/ska.md §8, SKA-7), in the order the backend runs them:
 * `validate` (USER_VALIDATE_CALLBACK), then `get` (existing user) or `create` (new
 * user), then `info`.
 */
export type HookEvent = 'validate' | 'get' | 'create' | 'info';

/**
 * `[ska] hook_url`: the callbacks, which are Python callables in ska, become JSON
 * POSTs to the web application. Only a 403 answer to `validate` matters (it is
 * ska's PermissionDenied); every other failure is logged once and ignored, as the
 * Django backend logs or swallows exceptions from its callbacks. Bodies are ignored.
 */
export interface HookSettings {
  url: string;
  timeoutSeconds: number;
  /** `[ska] hook_secret`: when set, every body is signed (X-Authbridge-Signature). */
  secret: string | undefined;
}

/**
 * `X-Authbridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`:
 * the receiver recomputes it over the raw body and may refuse an old `t` (replay).
 */
function hookSignature(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

export class SkaHooks {
  readonly #settings: HookSettings;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(settings: HookSettings, clock: Clock, logger: Logger) {
    this.#settings = settings;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Never rejects: `denied` only for a 403 answer to `validate`, else `done`. */
  // The body is what the signature proves ({event, user, provider, extra, valid_until}), never the signature.
  async send(event: HookEvent, subject: SkaSuccess): Promise<'denied' | 'done'> {
    const { url, timeoutSeconds, secret } = this.#settings;
    const body = JSON.stringify({ event, user: subject.user, provider: subject.provider, extra: subject.extra, valid_until: subject.valid_until });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== undefined) headers['x-authbridge-signature'] = hookSignature(secret, Math.floor(this.#clock.now() / 1000), body);
    let status: number;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        // A redirect is an answer like any other status, never followed with the payload.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      this.#failed(event, subject.user, describeFailure(err, timeoutSeconds));
      return 'done';
    }
    if (event === 'validate' && status === 403) return 'denied';
    if (status < 200 || status > 299) this.#failed(event, subject.user, `answered ${status}`);
    return 'done';
  }

  // The URL is not logged: it may carry the receiver's secret path.
  #failed(event: HookEvent, user: string, reason: string): void {
    this.#logger.warn('ska.hook_failed', { event, user, reason });
  }
}

function describeFailure(err: unknown, timeoutSeconds: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutSeconds} s`;
  // fetch reports a network error as TypeError('fetch failed') with the system error as its cause.
  const cause = err instanceof Error ? err.cause : undefined;
  const code = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
  return code ? `request failed (${code})` : `request failed (${String(err)})`;
}
