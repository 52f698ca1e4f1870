import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { Store } from '../../../src/store/store.js';

describe('audit log batching (recordSoon)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rowsOnDisk = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT at, subject FROM audit_log ORDER BY id').all();
    } finally {
      db.close();
    }
  };

  it('keeps the time of the event, is visible to reads at once and reaches the file by close', () => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-audit-'));
    const path = join(dir, 'db.sqlite');
    const clock = new ManualClock(1_000);
    const store = new Store(path, clock);
    store.audit.recordSoon({ method: 'ska', subject: 'a', result: 'success' });
    clock.advance(5);
    store.audit.recordSoon({ method: 'ska', subject: 'b', result: 'failure' });
    expect(rowsOnDisk(path)).toEqual([]);
    expect(store.audit.recent(10).map((r) => [r.at, r.subject])).toEqual([
      [1_005, 'b'],
      [1_000, 'a'],
    ]);
    store.audit.recordSoon({ method: 'ska', subject: 'c', result: 'success' });
    store.close();
    expect(rowsOnDisk(path)).toEqual([
      { at: 1_000, subject: 'a' },
      { at: 1_005, subject: 'b' },
      { at: 1_005, subject: 'c' },
    ]);
  });

  it('commits on its own within a short time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-audit-'));
    const path = join(dir, 'db.sqlite');
    const store = new Store(path, new ManualClock(1_000));
    try {
      store.audit.recordSoon({ method: 'ska', subject: 'a', result: 'success' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rowsOnDisk(path)).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
