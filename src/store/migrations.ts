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
];
