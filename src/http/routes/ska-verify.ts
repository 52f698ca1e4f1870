import type { Middleware } from 'koa';
import { badRequest } from '../../errors.js';
import { collapseParams, parseQuery, queryOfUrl, type ParsedParams } from '../../methods/ska/params.js';
import type { SkaCaller, SkaVerifier } from '../../methods/ska/service.js';
import type { AppState } from '../context.js';

type Ctx = Parameters<Middleware<AppState>>[0];

const callerOf = (ctx: Ctx): SkaCaller => ({ ip: ctx.state.clientIp, client: ctx.state.caller?.client?.name ?? null });

/** Signed URLs leak through Referer; answers are never cached (spec/ska.md §12.7). */
function protect(ctx: Ctx): void {
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
}

// GET /v1/ska/verify?<signed query> → 200 {user, provider, extra, valid_until} | 401 {error, error_description, reasons}
export function verifySkaQuery(verifier: SkaVerifier): Middleware<AppState> {
  return function verifySignedQuery(ctx) {
    protect(ctx);
    ctx.body = verifier.verify(parseQuery(ctx.querystring), undefined, callerOf(ctx));
  };
}

/** `{"params": {…}}` values: strings, or integers (they render alike in Python and JS, §2). */
function paramsOfObject(value: unknown): ParsedParams {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('params must be an object of strings');
  const pairs: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') pairs.push([name, v]);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) pairs.push([name, String(v)]);
    else throw badRequest(`params.${name} must be a string`);
  }
  return collapseParams(pairs);
}

// POST /v1/ska/verify: JSON {"query": "…"} or {"params": {…}, "provider": "…"}, or the signed fields as a form body.
export function verifySkaBody(verifier: SkaVerifier): Middleware<AppState> {
  return function verifySignedBody(ctx) {
    protect(ctx);
    if (ctx.is('application/x-www-form-urlencoded')) {
      ctx.body = verifier.verify(parseQuery(ctx.request.rawBody ?? ''), undefined, callerOf(ctx));
      return;
    }
    const body = ctx.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('expected a JSON object body or a form body');
    const fields = body as Record<string, unknown>;
    const { query, params, provider } = fields;
    if (provider !== undefined && typeof provider !== 'string') throw badRequest('provider must be a string');
    if ((query === undefined) === (params === undefined)) throw badRequest('give exactly one of query or params');
    if (query !== undefined && provider !== undefined) throw badRequest('provider goes with params; a query carries its own');
    if (query !== undefined) {
      if (typeof query !== 'string') throw badRequest('query must be a string');
      const raw = /^https?:\/\//i.test(query) ? queryOfUrl(query) : query;
      ctx.body = verifier.verify(parseQuery(raw), undefined, callerOf(ctx));
      return;
    }
    ctx.body = verifier.verify(paramsOfObject(params), provider, callerOf(ctx));
  };
}
