import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDaemon } from '../../support/daemon.js';
import { startProsody, type ProsodyServer } from '../../support/prosody.js';
import { startPeers, type Peers } from '../../support/xmpp/peers.js';
import { startLinkedDaemon } from '../../support/xmpp/setup.js';

const script = fileURLToPath(new URL('../../interop/django_style_login.py', import.meta.url));
const run = promisify(execFile);

let prosody: ProsodyServer;
let peers: Peers;
let t: TestDaemon;
beforeAll(async () => {
  prosody = await startProsody({ users: { alice: 'pw', bob: 'pw' } });
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

it('a Python client written against the original component logs a slixmpp user in unchanged', async () => {
  const accepted = await run('/usr/bin/python3', [script, `${t.url}/auth`, 'alice@localhost/phone']);
  expect(accepted.stdout.trim()).toBe('login ok');
  const refused = await run('/usr/bin/python3', [script, `${t.url}/auth`, 'bob@localhost']);
  expect(refused.stdout.trim()).toBe('login refused');
});
