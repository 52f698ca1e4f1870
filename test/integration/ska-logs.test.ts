import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { captureLog } from '../support/log-capture.js';
import { globalSecret, signedQuery } from '../support/ska.js';

describe('ska and the logs (spec/ska.md §12.7)', () => {
  it('never writes the signature (valid or not) into the daemon log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-logs-'));
    const { logger, text, lines } = captureLog();
    const { config } = parseConfig(
      `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n[ska]\nsecret = "${globalSecret}"\nalgorithm = "HMAC-SHA256"\n`,
      'test',
    );
    const daemon = new Daemon(config, logger);
    const good = signedQuery('alice', `${Math.floor(Date.now() / 1000) + 600}.0`);
    try {
      const { port } = await daemon.start();
      const bad = good.replace('auth_user=alice', 'auth_user=bob');
      expect((await fetch(`http://127.0.0.1:${port}/v1/ska/verify?${good}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/v1/ska/verify?${bad}`)).status).toBe(401);
      await fetch(`http://127.0.0.1:${port}/v1/ska/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: good }) });
      expect((await fetch(`http://127.0.0.1:${port}/ska/login/?${good}`, { redirect: 'manual' })).status).toBe(302);
      expect((await fetch(`http://127.0.0.1:${port}/ska/login/?${bad}`, { redirect: 'manual' })).status).toBe(403);
      await fetch(`http://127.0.0.1:${port}/ska/obtain-jwt-token/?${good}`);
    } finally {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const logged = text();
    expect(logged).toContain('/v1/ska/verify');
    expect(logged).toContain('/ska/login/');
    const sent = new URLSearchParams(good).get('signature') as string;
    for (const s of [sent, encodeURIComponent(sent)]) expect(logged).not.toContain(s);
    expect(logged).not.toContain('signature=');
    // One auth.ska line per attempt (OPS-14): the first verify succeeds, the forged one fails.
    const attempts = lines().filter((l) => l['message'] === 'auth.ska');
    expect(attempts[0]).toMatchObject({ level: 'info', user: 'alice', result: 'success' });
    expect(attempts[1]).toMatchObject({ level: 'info', user: 'bob', result: 'failure' });
  });
});
