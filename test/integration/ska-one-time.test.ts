import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { globalSecret, signedQuery } from '../support/ska.js';

const start = Date.UTC(2026, 0, 1);
const inAnHour = `${start / 1000 + 3600}.0`;

/**
 * Each worker thread opens its own connection to the SQLite file (the built
 * dist/store, as another daemon process would), waits at a shared barrier, then
 * claims every signature of the list at once with the others.
 */
const claimer = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { Store } = await import(workerData.storeModule);
  const store = new Store(workerData.path, { now: () => workerData.now });
  const gate = new Int32Array(workerData.gate);
  Atomics.add(gate, 1, 1);
  Atomics.wait(gate, 0, 0);
  const won = workerData.signatures.map((s) => store.ska.claimSignature(s, 'racer', '4102444800.0', 4102444800000));
  store.close();
  parentPort.postMessage(won);
})().catch((err) => parentPort.postMessage(String(err)));
`;

describe('one-time ska signatures (spec/ska.md §9)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-once-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('of 8 connections racing on the same SQLite file, exactly one claims each signature', { timeout: 60_000 }, async () => {
    const path = join(dir, 'race.sqlite');
    new Store(path, new ManualClock(start)).close(); // migrate once, before the race
    const signatures = Array.from({ length: 50 }, (_, i) => `signature-${i}`);
    const gate = new SharedArrayBuffer(8);
    const storeModule = new URL('../../dist/store/store.js', import.meta.url).href;
    const workers = Array.from({ length: 8 }, () => new Worker(claimer, { eval: true, workerData: { storeModule, path, now: start, gate, signatures } }));
    const results = workers.map((w) => new Promise<unknown>((resolve, reject) => w.once('message', resolve).once('error', reject)));
    const view = new Int32Array(gate);
    while (Atomics.load(view, 1) < workers.length) await new Promise((resolve) => setTimeout(resolve, 5));
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    const won = (await Promise.all(results)) as boolean[][];
    for (const w of won) expect(Array.isArray(w), String(w)).toBe(true);
    signatures.forEach((s, i) => expect(won.filter((w) => w[i] === true), s).toHaveLength(1));
  });

  it('a signature used before a restart is still refused after it', async () => {
    const clock = new ManualClock(start);
    const { config } = parseConfig(
      `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'restart.sqlite')}"\n[xmpp]\nenabled = false\n[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\none_time = true\n`,
      'test',
    );
    const query = signedQuery('rita', inAnHour);
    const verifyOnce = async () => {
      const daemon = new Daemon(config, silentLogger(), { clock });
      const { port } = await daemon.start();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v1/ska/verify?${query}`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      } finally {
        await daemon.stop();
      }
    };
    expect(await verifyOnce()).toMatchObject({ status: 200, body: { user: 'rita' } });
    expect(await verifyOnce()).toMatchObject({ status: 401, body: { error: 'ERR_SIGNATURE_REPLAYED', reasons: ['Invalid signature!'] } });
  });
});
