import type { Middleware } from 'koa';
import { AppError, badRequest, type ErrorCode } from '../../errors.js';
import { TokenError, type RequestBinding, type TokenFailure } from '../../methods/jwt/token.js';
import type { JwtVerifier } from '../../methods/jwt/verifier.js';
import { accountKey, ipKey, type Regulation } from '../../regulation/regulation.js';
import type { AuditLog } from '../../store/audit.js';
import { objectBody, optionalString } from '../body.js';
import type { AppState } from '../context.js';

const codeOf: Record<TokenFailure, ErrorCode> = {
  malformed: 'ERR_TOKEN_MALFORMED',
  algorithm: 'ERR_TOKEN_ALGORITHM',
  signature: 'ERR_TOKEN_SIGNATURE',
  stale: 'ERR_TOKEN_STALE',
  expired: 'ERR_TOKEN_EXPIRED',
  binding: 'ERR_TOKEN_BINDING',
  replayed: 'ERR_TOKEN_REPLAYED',
  unknown_user: 'ERR_UNKNOWN_USER',
};

export interface JwtVerifyDeps {
  verifier: JwtVerifier;
  regulation: Regulation;
  audit: AuditLog;
}

// POST /v1/jwt/verify {authorization: "JWT <token>", method?, url?} → 200 {user, key_fingerprint, source} | 401 {error, error_description}
export function verifyJwt(deps: JwtVerifyDeps): Middleware<AppState> {
  const { verifier, regulation, audit } = deps;
  return async function verifyJwtToken(ctx) {
    const fields = objectBody(ctx.request.body);
    const authorization = optionalString(fields, 'authorization');
    if (authorization === undefined) throw badRequest('authorization is required ("JWT <token>")');
    const method = optionalString(fields, 'method');
    const url = optionalString(fields, 'url');
    const binding: RequestBinding = { ...(method === undefined ? {} : { method }), ...(url === undefined ? {} : { url }) };
    const ip = ctx.state.clientIp;
    const client = ctx.state.caller?.client?.name ?? null;
    const keys = [ipKey(ip)];
    let subject: string | null = null;
    try {
      regulation.assertAllowed(keys);
      const token = verifier.decode(authorization);
      subject = token.claims.username;
      keys.push(accountKey('jwt', subject));
      regulation.assertAllowed(keys);
      const verified = await verifier.verify(token, binding);
      regulation.recordSuccess(accountKey('jwt', verified.username));
      audit.record({ method: 'jwt', subject, result: 'success', client, ip, detail: `${verified.source} ${verified.fingerprint}` });
      ctx.state.logger.info('auth.jwt.success', { user: verified.username, fingerprint: verified.fingerprint, source: verified.source });
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { user: verified.username, key_fingerprint: verified.fingerprint, source: verified.source };
    } catch (err) {
      if (err instanceof AppError && err.code === 'ERR_RATE_LIMITED') audit.record({ method: 'jwt', subject, result: 'rate_limited', client, ip, detail: null });
      if (!(err instanceof TokenError)) throw err;
      regulation.recordFailure(keys);
      const code = codeOf[err.failure];
      audit.record({ method: 'jwt', subject, result: 'failure', client, ip, detail: code });
      ctx.state.logger.info('auth.jwt.failure', { user: subject, code });
      throw new AppError(401, code, err.message);
    }
  };
}
