import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { Store } from '../../../src/store/store.js';

const storeJs = new URL('../../../dist/store/store.js', import.meta.url).href;

/**
 * A worker with its own SQLite connection that, once released, tries to record each
 * triple and reports which ones it won. Built code (dist/) so that no TS loader is needed.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.storeJs).then(({ Store }) => {
  const store = new Store(workerData.path, { now: () => 1700000000000 });
  const view = new Int32Array(workerData.gate);
  parentPort.postMessage('ready');
  Atomics.wait(view, 0, 0);
  const won = [];
  for (let i = 0; i < workerData.triples; i++) {
    if (store.jwt.recordUse({ username: 'guido', time: 1700000000, nonce: 'race' + i, expiresAt: 1700000041000 }, undefined)) won.push(i);
  }
  store.close();
  parentPort.postMessage(won);
});
`;

describe('nonce store across connections (JWT-5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-nonces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each (user, time, nonce) to exactly one of several connections racing for it', async () => {
    const path = join(dir, 'db.sqlite');
    new Store(path, new ManualClock()).close();
    const gate = new SharedArrayBuffer(4);
    const triples = 300;
    const workers = Array.from({ length: 6 }, () => new Worker(workerSource, { eval: true, workerData: { storeJs, path, gate, triples } }));
    // Every worker has its connection open and waits on the gate; then all go at once.
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
    const results = workers.map((w) => new Promise<number[]>((resolve, reject) => w.once('message', resolve).once('error', reject)));
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    const won = (await Promise.all(results)).flat().sort((a, b) => a - b);
    expect(won).toEqual(Array.from({ length: triples }, (_, i) => i));
  });

  it('keeps rows until they expire, then purges them', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const store = new Store(join(dir, 'purge.sqlite'), clock);
    try {
      const use = { username: 'guido', time: 1_700_000_000, nonce: 'n', expiresAt: clock.now() + 41_000 };
      expect(store.jwt.recordUse(use, undefined)).toBe(true);
      expect(store.jwt.recordUse(use, undefined)).toBe(false);
      expect(store.jwt.recordUse({ ...use, nonce: 'other' }, undefined)).toBe(true);
      expect(store.jwt.purgeNonces(clock.now() + 41_000)).toBe(0);
      expect(store.jwt.purgeNonces(clock.now() + 41_001)).toBe(2);
      expect(store.jwt.recordUse(use, undefined)).toBe(true);
    } finally {
      store.close();
    }
  });
});
