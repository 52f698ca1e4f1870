import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ConfigError } from '../../errors.js';
import { named } from '../../http/app.js';
import { publishJwks } from '../../http/routes/jwks.js';
import { verifyJwt } from '../../http/routes/jwt-verify.js';
import type { MethodContext, MethodModule } from '../module.js';
import { JwksCache } from './jwks.js';
import { describeKey, publicJwk, type KeyType } from './keys.js';
import { JwtVerifier } from './verifier.js';

export interface JwtModule extends MethodModule {
  jwks: JwksCache;
  verifier: JwtVerifier;
}

/** The public half of a PEM key file (public or private), for our JWKS (spec/jwt.md §9). */
export function publishedKey(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`jwt.publish_keys: ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  try {
    const key = /PRIVATE KEY-----/.test(text) ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
    return publicJwk(describeKey(key));
  } catch (err) {
    throw new ConfigError([`jwt.publish_keys: ${path}: not a usable RSA (≥ 2048 bits) or Ed25519 PEM key (${(err as Error).message})`]);
  }
}

const generate = promisify(generateKeyPair);

/** Public keys whose private halves are thrown away: the work done for an unknown user (§11.5). */
async function decoyKeys(): Promise<Record<KeyType, KeyObject>> {
  const [rsa, ed25519] = await Promise.all([generate('rsa', { modulusLength: 2048 }), generate('ed25519')]);
  return { rsa: rsa.publicKey, ed25519: ed25519.publicKey };
}

/**
 * Key-signed JWTs (spec/jwt.md): POST /v1/jwt/verify for web applications and our
 * JWKS at /.well-known/jwks.json. Used nonces are purged on the store's schedule.
 */
export function createJwtModule(ctx: MethodContext): JwtModule {
  const { config, store, clock, logger, regulation } = ctx;
  const settings = config.jwt;
  const published = settings.publish_keys.map(publishedKey);
  const jwks = new JwksCache(
    {
      ttlMs: settings.jwks_cache_ttl * 1000,
      refreshIntervalMs: settings.jwks_refresh_interval * 1000,
      timeoutMs: settings.jwks_timeout * 1000,
      maxBytes: settings.jwks_max_bytes,
    },
    clock,
    logger,
  );
  const verifier = new JwtVerifier({
      keys: store.jwt,
    jwks,
    clock,
    settings: { tolerance: settings.tolerance, audience: settings.audience, requireBinding: settings.require_request_binding },
    decoys: decoyKeys(),
  });
  if (!settings.enabled) logger.warn('jwt.disabled', { reason: 'jwt.enabled = false: /v1/jwt/verify is not served' });
  store.addPurgeable({ purge: (now) => store.jwt.purgeNonces(now) });

  return {
    name: 'jwt',
    jwks,
    verifier,
    routes(router, caller) {
      router.get('/.well-known/jwks.json', named('/.well-known/jwks.json'), publishJwks(published));
      if (!settings.enabled) return;
      router.post('/v1/jwt/verify', named('/v1/jwt/verify'), caller, verifyJwt({ verifier, regulation, audit: store.audit }));
    },
  };
}
