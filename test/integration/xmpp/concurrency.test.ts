import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestDaemon } from '../../support/daemon.js';
import { startProsody, type ProsodyServer } from '../../support/prosody.js';
import { startPeers, type PeerSpec, type Peers } from '../../support/xmpp/peers.js';
import { auth, startLinkedDaemon } from '../../support/xmpp/setup.js';

/** 50 simultaneous /auth requests for 50 different people all resolve by their own answers (XMPP-7). */
const COUNT = 50;
const modes = ['accept', 'deny', 'typer'] as const;
const expected = { accept: 200, deny: 401, typer: 200 } as const;
const users = Array.from({ length: COUNT }, (_, i) => ({ name: `user${i}`, mode: modes[i % modes.length]! }));

let prosody: ProsodyServer;
let peers: Peers;
let t: TestDaemon;

beforeAll(async () => {
  prosody = await startProsody({ users: Object.fromEntries(users.map((u) => [u.name, 'pw'])) });
  const specs: PeerSpec[] = users.map((u) => ({ jid: `${u.name}@localhost/r`, password: 'pw', mode: u.mode }));
  peers = await startPeers(prosody, specs);
  t = await startLinkedDaemon(prosody);
}, 90_000);

afterAll(async () => {
  await t?.stop();
  await peers?.stop();
  await prosody?.dispose();
});

it(`${COUNT} concurrent requests for different users each get their own answer`, async () => {
  const results = await Promise.all(
    users.map((u, i) => auth(t.url, { jid: `${u.name}@localhost/r`, domain: 'shop.example', method: 'GET', transaction_id: `c${i}`, timeout: '20' })),
  );
  expect(results.map((r) => r.status)).toEqual(users.map((u) => expected[u.mode]));
  expect(t.daemon.xmpp.approvals?.pendingCount).toBe(0);
});
