import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite file in WAL mode. `:memory:` works for tests. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export interface MigrationStatus {
  name: string;
  appliedAt: number | null;
}

function ensureMigrationTable(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
}

export function migrationStatus(db: Db, list: readonly Migration[] = migrations): MigrationStatus[] {
  ensureMigrationTable(db);
  const applied = new Map(
    (db.prepare('SELECT name, applied_at FROM schema_migrations').all() as Array<{ name: string; applied_at: number }>)
      .map((row) => [row.name, row.applied_at]),
  );
  return list.map((m) => ({ name: m.name, appliedAt: applied.get(m.name) ?? null }));
}

/** Applies every migration not yet recorded, each in its own transaction. Returns the names applied. */
export function migrate(db: Db, list: readonly Migration[] = migrations): string[] {
  const pending = migrationStatus(db, list).filter((s) => s.appliedAt === null).map((s) => s.name);
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  for (const name of pending) {
    const migration = list.find((m) => m.name === name);
    if (!migration) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(name, Date.now());
    })();
  }
  return pending;
}
