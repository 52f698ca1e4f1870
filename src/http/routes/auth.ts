import type { Middleware } from 'koa';
import { AppError } from '../../errors.js';
import { checkApprovalParams, type XmppApprovalService } from '../../methods/xmpp-approval/service.js';
import { originalStatusCode } from '../../methods/xmpp-approval/outcome.js';
import type { AppState } from '../context.js';

interface TimeoutSettings {
  default_timeout: number;
  max_timeout: number;
}

/**
 * Parameters as the original read them (spec/xmpp.md §2.1): an urlencoded body
 * merged with the query string, body values first, repeated keys concatenated.
 */
export function originalParams(query: string, formBody: string | undefined): Map<string, string> {
  const merged = new Map<string, string>();
  for (const source of [formBody ?? '', query]) {
    for (const [key, value] of new URLSearchParams(source)) merged.set(key, (merged.get(key) ?? '') + value);
  }
  return merged;
}

/** `strconv.Atoi` semantics: missing, invalid or <= 0 → default; above the cap → the cap (XMPP-3). */
export function originalTimeout(raw: string | undefined, settings: TimeoutSettings): number {
  const value = raw !== undefined && /^[+-]?\d+$/.test(raw) ? Number(raw) : 0;
  if (!Number.isSafeInteger(value) || value <= 0) return settings.default_timeout;
  return Math.min(value, settings.max_timeout);
}

// GET|POST /auth?jid&domain&method&transaction_id&timeout — answers 200/400/401/520/523 with an empty body.
export function auth(approvals: XmppApprovalService | undefined, settings: TimeoutSettings): Middleware<AppState> {
  return async function answerOriginalAuth(ctx) {
    const isForm = ctx.request.is('application/x-www-form-urlencoded') !== false;
    const params = originalParams(ctx.querystring, isForm ? (ctx.request as { rawBody?: string }).rawBody : undefined);
    const get = (name: string) => params.get(name) ?? '';
    const request = {
      jid: get('jid'),
      domain: get('domain'),
      method: get('method'),
      transactionId: get('transaction_id'),
      timeoutSeconds: originalTimeout(params.get('timeout'), settings),
    };
    if (approvals) {
      try {
        const { outcome } = approvals.start(request, ctx.state.caller ?? { client: null, ip: ctx.state.clientIp }, false);
        ctx.status = originalStatusCode(await outcome);
      } catch (err) {
        if (err instanceof AppError && err.expose) throw err;
        // The original API's "unknown error" (spec/xmpp.md §2.3), never a 500.
        ctx.state.logger.error('http.internal_error', { err: err instanceof Error ? err.stack : String(err) });
        ctx.status = 520;
      }
    } else {
      // XMPP is disabled in the config: nothing can reach the person.
      checkApprovalParams(request);
      ctx.status = 523;
    }
    ctx.body = '';
  };
}
