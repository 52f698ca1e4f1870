import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDaemon } from '../../support/daemon.js';
import { startProsody, type ProsodyServer } from '../../support/prosody.js';
import { startPeers, type Peers } from '../../support/xmpp/peers.js';
import { startLinkedDaemon } from '../../support/xmpp/setup.js';

/** `authbridge xmpp test JID`: one round trip through the running daemon, outcome and time printed. */
const main = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

/** Runs the CLI without blocking this process's event loop (the daemon under test lives here). */
function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let prosody: ProsodyServer;
let peers: Peers;
let t: TestDaemon;
beforeAll(async () => {
  prosody = await startProsody({ users: { alice: 'pw', bob: 'pw', carol: 'pw' } });
  peers = await startPeers(prosody, [
    { jid: 'alice@localhost/phone', password: 'pw', mode: 'accept' },
    { jid: 'bob@localhost/phone', password: 'pw', mode: 'deny' },
  ]);
  t = await startLinkedDaemon(prosody);
});
afterAll(async () => {
  await t?.stop();
  await peers?.stop();
  await prosody?.dispose();
});

describe('authbridge xmpp test JID', () => {
  it('finds the daemon through http.listen; prints the code, the outcome and the time; exit 0 when approved', async () => {
    const config = join(t.dir, 'cli.toml');
    writeFileSync(config, `[http]\nlisten = "${new URL(t.url).host}"\n[xmpp]\nenabled = false\n`);
    const result = await cli(['xmpp', 'test', 'alice@localhost/phone', '--timeout', '10', '--config', config]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^sent request \S+ to alice@localhost\/phone; validation code (\d{6});/);
    expect(result.stdout).toMatch(/^approved after \d+\.\d\d s$/m);
    expect(result.status).toBe(0);
    const code = /validation code (\d{6})/.exec(result.stdout)![1];
    expect(await peers.waitFor((e) => e.event === 'confirm' && e.id === code)).toMatchObject({ via: 'iq', jid: 'alice@localhost/phone' });
  });

  it('exit 1 with the outcome when denied or unreachable', async () => {
    const denied = await cli(['xmpp', 'test', 'bob@localhost/phone', '--url', t.url, '--timeout', '10']);
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/^denied after /m);
    const offline = await cli(['xmpp', 'test', 'carol@localhost', '--url', t.url, '--timeout', '10']);
    expect(offline.status).toBe(1);
    expect(offline.stdout).toMatch(/^unreachable after /m);
  });

  it('refuses a malformed JID with the daemon\'s error code, and says so when no daemon runs', async () => {
    const malformed = await cli(['xmpp', 'test', 'alice@', '--url', t.url]);
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toContain('400 ERR_INVALID_JID');
    const nobody = await cli(['xmpp', 'test', 'alice@localhost', '--url', 'http://127.0.0.1:1']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/cannot reach the daemon at http:\/\/127\.0\.0\.1:1 .*is "authbridge serve" running\?/);
  });
});
