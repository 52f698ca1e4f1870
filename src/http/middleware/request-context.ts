import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../log.js';
import { canonicalAddress, cidrMatcher } from '../addresses.js';
import type { AppState } from '../context.js';

/**
 * Gives every request an id (echoed in `X-Request-Id`), resolves the client address
 * (X-Forwarded-For is believed only from `http.trusted_proxies`, OPS-12) and writes
 * one log line (and tells `onResponse`, for the metrics) when the response is done.
 */
export function requestContext(
  logger: Logger,
  trustedProxies: readonly string[],
  onResponse?: (route: string | null, status: number, seconds: number) => void,
): Middleware<AppState> {
  const isTrusted = cidrMatcher(trustedProxies);
  return async function requestContextStep(ctx, next) {
    const started = process.hrtime.bigint();
    ctx.state.requestId = randomUUID();
    ctx.state.clientIp = resolveClientIp(canonicalAddress(ctx.req.socket.remoteAddress ?? ''), ctx.get('x-forwarded-for'), isTrusted);
    ctx.state.logger = logger.child({ requestId: ctx.state.requestId });
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      const durationMs = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
      const route = ctx.state.route ?? null;
      ctx.state.logger.info('http.request', { method: ctx.method, route, path: ctx.path, status: ctx.status, durationMs, ip: ctx.state.clientIp });
      onResponse?.(route, ctx.status, durationMs / 1000);
    }
  };
}

/** Walks X-Forwarded-For from the right, skipping trusted proxies: the first other hop is the client. */
export function resolveClientIp(peer: string, forwardedFor: string, isTrusted: (address: string) => boolean): string {
  if (!isTrusted(peer) || forwardedFor === '') return peer;
  const hops = forwardedFor.split(',').map((hop) => canonicalAddress(hop.trim())).filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer;
}
