import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The configuration file's schema: key names are part of the contract (DESIGN.md).
 * Every section is strict (unknown keys are errors) and every key has a default
 * that works on a fresh machine, except where a secret is required.
 */

const portRange = (port: number) => Number.isInteger(port) && port >= 0 && port <= 65535;

/** `host:port`, `[v6]:port`; port 0 asks the OS for a free port (tests). */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  return portRange(port) ? { host, port } : undefined;
}

export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(address);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

const listen = z.string().refine((v) => parseListen(v) !== undefined, 'must be "host:port" or "[ipv6]:port"');
const cidrList = z.array(z.string().refine(isCidr, 'must be a CIDR such as "10.0.0.0/8" or "::1/128"'));
const seconds = (min: number, max: number) => z.number().int('must be a whole number of seconds').min(min).max(max);
const positive = z.number().int('must be a whole number').positive();
const isHttpUrl = (v: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};
const domainName = z.string().regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'must be a domain name such as "auth.example.net"');

const httpSection = z.strictObject({
  listen: listen.default('127.0.0.1:8080'),
  trusted_proxies: cidrList.default([]),
  /** Seconds in-flight requests get to finish after SIGTERM. */
  shutdown_timeout: seconds(0, 600).default(20),
});

const apiSection = z.strictObject({
  allow_unauthenticated_from: cidrList.default(['127.0.0.1/32', '::1/128']),
});

const storeSection = z.strictObject({
  path: z.string().min(1).default('./data/authbridge.sqlite'),
  /** Days decided XMPP requests and audit events are kept. */
  retention_days: positive.default(90),
  /** Seconds between purges of expired rows. */
  purge_interval: seconds(1, 86400).default(600),
});

const logSection = z.strictObject({
  level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  format: z.enum(['json', 'text']).default('json'),
});

const xmppSection = z.strictObject({
  enabled: z.boolean().default(true),
  service: z.string().refine((v) => {
    try {
      const url = new URL(v);
      return url.protocol === 'xmpp:' && url.hostname !== '' && url.pathname === '' && url.search === '';
    } catch {
      return false;
    }
  }, 'must be "xmpp://HOST:PORT"').default('xmpp://127.0.0.1:5347'),
  domain: domainName.default('auth.localhost'),
  secret: z.string().min(1).optional(),
  secret_file: z.string().min(1).optional(),
  // As the original: a configured default is only accepted when 0 < v < 300.
  default_timeout: seconds(1, 299).default(60),
  max_timeout: seconds(1, 3600).default(300),
});

// spec/ops.md §5: /auth/forward and /auth/request for reverse proxies.
const forwardAuthSection = z.strictObject({
  /** The login page people are sent to without a session (with `rd` = the URL they wanted); empty: plain 401. */
  login_url: z.string().refine((v) => v === '' || isHttpUrl(v), 'must be an http(s) URL or empty').default(''),
});

// spec/ops.md §5 (OPS-13): Prometheus metrics, opt-in, on their own listener.
const metricsSection = z.strictObject({
  enabled: z.boolean().default(false),
  /** Keep it on loopback: the metrics name routes and results, not for the public. */
  listen: listen.default('127.0.0.1:9464'),
});

const limitsSection = z.strictObject({
  pending_per_jid: positive.default(3),
  requests_per_jid_per_minute: positive.default(10),
  pending_per_client: positive.default(1000),
});

const regulationSection = z.strictObject({
  max_retries: positive.default(5),
  find_time: seconds(1, 86400).default(120),
  ban_time: seconds(1, 86400 * 30).default(300),
});

// spec/jwt.md: key-signed JWTs (asymmetric_jwt_auth).
const jwtSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** JWT-4: seconds a token's `time` may be away from now, either way. */
  tolerance: seconds(1, 3600).default(20),
  /** Opt-in binding (spec/jwt.md §11.4): when set, tokens must carry `aud` naming it; when unset, any `aud` rejects. */
  audience: z.string().min(1).optional(),
  /** Opt-in binding: tokens must carry `htm` and `htu`, matched against the verify request's `method` and `url`. */
  require_request_binding: z.boolean().default(false),
  /** Key files (PEM, public or private; only the public half is used) published at /.well-known/jwks.json. */
  publish_keys: z.array(z.string().min(1)).default([]),
  /** Seconds a downloaded JWKS is trusted before it is fetched again (spec/jwt.md §8). */
  jwks_cache_ttl: seconds(1, 86400).default(300),
  /** Seconds between two downloads of one URL caused by an unknown kid (§11.6). */
  jwks_refresh_interval: seconds(1, 3600).default(60),
  /** Seconds a JWKS download may take, connection included. */
  jwks_timeout: seconds(1, 60).default(5),
  /** Bytes a JWKS document may have. */
  jwks_max_bytes: positive.max(10_485_760).default(65536),
});

const sessionSection = z.strictObject({
  /** Seconds without a request after which a login session ends. */
  inactivity: seconds(60, 86400 * 30).default(3600),
  /** Seconds after login at which a session ends however active it is. */
  expiration: seconds(60, 86400 * 365).default(43200),
  /** Secure cookie with the `__Host-` prefix; turn off only for plain-HTTP development. */
  secure: z.boolean().default(true),
  cookie_name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, "_" or "-"').default('authbridge_session'),
});

const realmName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a Kerberos realm such as "EXAMPLE.ORG"');
const principalName = z.string().regex(/^[^@\s]+@[A-Za-z0-9._-]+$/, 'must be a principal such as "alice@EXAMPLE.ORG"');

const kerberosSection = z.strictObject({
  enabled: z.boolean().default(false),
  keytab_file: z.string().min(1).default('/etc/krb5.keytab'),
  /** `HTTP@host` pins the acceptor name; empty accepts any key in the keytab. */
  service: z.string().regex(/^$|^[^@\s]+@[^@\s]+$/, 'must be "HTTP@host" or empty').default(''),
  /** Realms whose principals may log in; checked before any mapping (KRB-1). */
  realms: z.array(realmName).default([]),
  /** `strip_realm`: alice@REALM → user alice; `table`: only the principals listed in `principal_map`. */
  user_mapping: z.enum(['strip_realm', 'table']).default('strip_realm'),
  principal_map: z.record(principalName, z.string().min(1)).default({}),
  /** Private, writable replay cache directory (KRB-2). */
  replay_cache_dir: z.string().min(1).default('./data/kerberos/rcache'),
  /** Where delegated credentials are stored, one 0600 file per login (KRB-4). */
  delegation_dir: z.string().min(1).default('./data/kerberos/ccaches'),
});

const skaSection = z.strictObject({
  /** The global key, used when a request names no provider. */
  secret: z.string().min(1).optional(),
  secret_file: z.string().min(1).optional(),
  // SHA-1 is ska's default (compatibility, SKA-2); MD5 only per provider.
  algorithm: z.enum(['HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512']).default('HMAC-SHA1'),
  /** ska 1.9's opt-in `javascript_quoter` for the global key. */
  quoter: z.enum(['default', 'javascript']).default('default'),
  /** Seconds valid_until may lie ahead of now; 0 disables the cap. */
  max_lifetime: seconds(0, 100 * 365 * 86400).default(0),
  /** Each signature is accepted once (recorded until its valid_until). */
  one_time: z.boolean().default(false),
  /** A first valid login creates the user from signed extra (email, first_name, last_name). */
  create_users: z.boolean().default(false),
  /**
   * What /ska/login/ and the token endpoint do with used signatures (spec/ska.md §9,
   * §12.4): "check" records them and refuses a replay (the default), "store" records
   * them and accepts replays (ska with SKA_DB_STORE_SIGNATURES only), "none" neither.
   */
  login_signatures: z.enum(['check', 'store', 'none']).default('check'),
  /** Seconds a JWT from /ska/obtain-jwt-token/ is valid (drf-jwt's default delta). */
  token_lifetime: seconds(10, 86400).default(300),
  /** Refuse a request that names a provider without signing it (listing it in extra). */
  require_signed_provider: z.boolean().default(false),
  /** `%` in auth_user is refused by default: it enables forgery 2 (spec/ska.md §11). */
  allow_percent_in_user: z.boolean().default(false),
  /**
   * ska's USER_*_CALLBACKs as JSON POSTs to the web application (spec/ska.md §8,
   * SKA-7); empty: none. fetch refuses a URL with user:password@, so it is refused here.
   */
  hook_url: z
    .string()
    .refine((v) => v === '' || (isHttpUrl(v) && new URL(v).username === '' && new URL(v).password === ''), 'must be an http(s) URL without user:password@, or empty')
    .default(''),
  /** Seconds one hook request may take before it counts as failed. */
  hook_timeout: seconds(1, 30).default(2),
  /** Signs each hook body (X-Authbridge-Signature) so the receiver can tell it comes from us (secret; or hook_secret_file). */
  hook_secret: z.string().min(16, 'must be at least 16 characters').optional(),
  hook_secret_file: z.string().min(1).optional(),
});

const gpgauthSection = z.strictObject({
  /** Armored OpenPGP private key of the server; absent: gpgAuth is off and its routes answer 503. */
  server_key_file: z.string().min(1).optional(),
  /** Passphrase of that key (secret; or passphrase_file). Omit for an unprotected key. */
  passphrase: z.string().min(1).optional(),
  passphrase_file: z.string().min(1).optional(),
  /** Seconds a stage-1 login token stays valid (spec/gpgauth.md §11). */
  token_ttl: seconds(10, 3600).default(300),
  /** Unconsumed tokens kept per user; a new one retires the oldest beyond this. */
  max_active_tokens: positive.max(100).default(5),
  /** Stage-0 and stage-1 requests per client address per minute: each costs a private-key operation before anyone is authenticated. */
  crypto_requests_per_ip_per_minute: positive.default(120),
  /** X-GPGAuth-Debug tells why a step failed (never enable in production). */
  debug: z.boolean().default(false),
  /** Start of X-GPGAuth-Debug for an unknown key (the browser extension matches it). */
  unknown_key_message: z
    .string()
    .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII: it is sent in an HTTP header')
    .default('There is no user associated with this key.'),
});

export const configSchema = z
  .strictObject({
    http: httpSection.prefault({}),
    api: apiSection.prefault({}),
    store: storeSection.prefault({}),
    log: logSection.prefault({}),
    xmpp: xmppSection.prefault({}),
    forward_auth: forwardAuthSection.prefault({}),
    metrics: metricsSection.prefault({}),
    limits: limitsSection.prefault({}),
    regulation: regulationSection.prefault({}),
    jwt: jwtSection.prefault({}),
    session: sessionSection.prefault({}),
    kerberos: kerberosSection.prefault({}),
    ska: skaSection.prefault({}),
    gpgauth: gpgauthSection.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.xmpp.default_timeout > config.xmpp.max_timeout) {
      ctx.addIssue({ code: 'custom', path: ['xmpp', 'default_timeout'], message: `must not exceed xmpp.max_timeout (${config.xmpp.max_timeout})` });
    }
    if (config.kerberos.enabled && config.kerberos.realms.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['kerberos', 'realms'], message: 'list the realms whose principals may log in (e.g. ["EXAMPLE.ORG"])' });
    }
  });

export type ParsedConfig = z.output<typeof configSchema>;

/**
 * Secrets that may be given inline (`name`) or as a file (`name_file`). The loader
 * reads the file and leaves the value under `name`. `required` sees the section as
 * written (it is asked even when other keys are invalid, so every problem is reported).
 */
export interface SecretKey {
  section: keyof ParsedConfig;
  name: string;
  required: (section: Record<string, unknown>) => boolean;
}

export const secretKeys: SecretKey[] = [
  { section: 'xmpp', name: 'secret', required: (xmpp) => xmpp['enabled'] !== false },
  { section: 'ska', name: 'secret', required: () => false },
  { section: 'ska', name: 'hook_secret', required: () => false },
  { section: 'gpgauth', name: 'passphrase', required: () => false },
];
