/**
 * Schema migrations, applied in list order and recorded by name in
 * `schema_migrations`. Never edit a migration that has shipped: add a new one.
 * Method issues append their own entries.
 */
export interface Migration {
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    name: '001-foundation',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT,
        email TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      -- kind: 'jid' (bare, normalized), 'kerberos' (principal), 'pgp' (fingerprint)
      CREATE TABLE identities (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (kind, value)
      );
      CREATE INDEX identities_user ON identities(user_id);
      CREATE TABLE api_clients (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        token_hash BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE xmpp_requests (
        id TEXT PRIMARY KEY,
        jid TEXT NOT NULL,
        domain TEXT NOT NULL,
        method TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        client_id INTEGER REFERENCES api_clients(id),
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        decided_at INTEGER
      );
      CREATE INDEX xmpp_requests_status ON xmpp_requests(status);
      CREATE INDEX xmpp_requests_decided ON xmpp_requests(decided_at);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        method TEXT NOT NULL,
        subject TEXT,
        result TEXT NOT NULL,
        client TEXT,
        ip TEXT,
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log(at);
    `,
  },
  {
    name: '002-regulation',
    sql: `
      CREATE TABLE regulation_failures (
        key TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX regulation_failures_key_at ON regulation_failures(key, at);
      CREATE INDEX regulation_failures_at ON regulation_failures(at);
    `,
  },
  {
    name: '003-ska',
    sql: `
      CREATE TABLE ska_providers (
        name TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        quoter TEXT NOT NULL DEFAULT 'default',
        redirect TEXT,
        allowed_users TEXT,
        created_at INTEGER NOT NULL
      );
      -- one-time ska signatures (spec/ska.md §9); expires_at = valid_until in ms
      CREATE TABLE ska_signatures (
        signature TEXT NOT NULL,
        auth_user TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER NOT NULL,
        PRIMARY KEY (signature, auth_user, valid_until)
      ) WITHOUT ROWID;
      CREATE INDEX ska_signatures_expires ON ska_signatures(expires_at);
    `,
  },
  {
    name: '004-jwt',
    sql: `
      -- spec/jwt.md §7: public_key is the canonical SPKI PEM; fingerprint its SHA-256 (the kid).
      CREATE TABLE jwt_public_keys (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL UNIQUE,
        key_type TEXT NOT NULL,
        public_key TEXT NOT NULL,
        comment TEXT,
        created_at INTEGER NOT NULL,
        last_used_on INTEGER
      );
      CREATE INDEX jwt_public_keys_user ON jwt_public_keys(user_id);
      -- spec/jwt.md §8
      CREATE TABLE jwt_jwks_trusts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_on INTEGER,
        UNIQUE (user_id, url)
      );
      -- spec/jwt.md §5: one row per accepted (username, time, nonce); the primary key makes a replay lose.
      -- No index on expires_at: it would cost every insert a page write; the purge scans instead.
      CREATE TABLE jwt_nonces (
        username TEXT NOT NULL,
        time INTEGER NOT NULL,
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (username, time, nonce)
      ) WITHOUT ROWID;
    `,
  },
  {
    name: '005-sessions',
    sql: `
      -- Login sessions shared by every method; only a SHA-256 of the cookie's id is kept.
      CREATE TABLE sessions (
        id_hash BLOB PRIMARY KEY,
        user TEXT NOT NULL,
        method TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        inactivity_ms INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_expires_at ON sessions(expires_at);
      CREATE INDEX sessions_idle ON sessions(last_seen);
    `,
  },
  {
    name: '006-gpgauth',
    sql: `
      -- Users' OpenPGP public keys (v4, fingerprint upper-case hex).
      CREATE TABLE gpg_keys (
        fingerprint TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        armored TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX gpg_keys_user ON gpg_keys(user_id);
      -- Stage-1 login tokens: only sha256(token) is kept (spec/gpgauth.md §11).
      CREATE TABLE gpg_tokens (
        token_hash BLOB PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        type TEXT NOT NULL DEFAULT 'login',
        created_at INTEGER NOT NULL,
        consumed_at INTEGER
      );
      CREATE INDEX gpg_tokens_user ON gpg_tokens(user_id, created_at);
      CREATE INDEX gpg_tokens_created ON gpg_tokens(created_at);
    `,
  },
  {
    name: '007-kerberos',
    sql: `
      -- One row per stored delegated credential cache (spec/kerberos.md §5); the file is
      -- deleted with its row, on logout or when the ticket expires.
      CREATE TABLE kerberos_ccaches (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        principal TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX kerberos_ccaches_expires ON kerberos_ccaches(expires_at);
    `,
  },
];
