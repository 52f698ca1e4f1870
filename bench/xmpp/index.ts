/**
 * bench/xmpp: XEP-0070 approvals through authbridge's GET /auth against a raw
 * xmpp.js baseline, in one run against one local Prosody (issue 2).
 *
 *  (a) baseline: an xmpp.js component sends iq confirms straight to auto-accepting
 *      xmpp.js clients (one round trip each);
 *  (b) the same approvals through `GET /auth` of a real `authbridge serve` process.
 * Both at 100 concurrent requests. Then 10,000 requests are held pending for silent
 * users and the daemon's RSS is read from /proc.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, xml, type Client } from '@xmpp/client';
import { component } from '@xmpp/component';
import { startProsody } from '../../test/support/prosody.js';
import { spawnServe } from '../../test/support/cli.js';

const NS_HTTP_AUTH = 'http://jabber.org/protocol/http-auth';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const USERS = 100;
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 100);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 3000);
const PENDING = 10_000;
const SILENT_USERS = 100;

async function startClient(service: string, username: string, accepting: boolean): Promise<Client> {
  const xmpp = client({ service, domain: 'localhost', username, password: 'pw', resource: 'bench' });
  xmpp.on('error', (e: Error) => console.log('client error', username, e.message));
  if (accepting) {
    // An auto-accepting XEP-0070 client: advertises the feature, answers every confirm.
    xmpp.iqCallee.get(NS_DISCO_INFO, 'query', () => xml('query', { xmlns: NS_DISCO_INFO }, xml('feature', { var: NS_HTTP_AUTH })));
    xmpp.iqCallee.get(NS_HTTP_AUTH, 'confirm', (ctx) => ctx.element);
  }
  if (process.env['BENCH_DEBUG']) xmpp.on('status', (st: string) => console.error(username, st));
  await xmpp.start();
  await xmpp.send(xml('presence'));
  return xmpp;
}

interface LoadResult {
  p50: number;
  p99: number;
  perSecond: number;
}

/** Runs `total` calls of `one(i)` with `concurrency` in flight; latencies in ms. */
async function load(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await one(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), perSecond: total / elapsed };
}

const fmt = (r: LoadResult) => `p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${r.perSecond.toFixed(0)} approvals/s`;

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * A keep-alive HTTP call with node:http: the load generator shares the machine with
 * the daemon, and fetch (undici) costs several times more CPU per request.
 */
function call(agent: Agent, url: string, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

async function main(): Promise<void> {
  const users = Object.fromEntries([
    ...Array.from({ length: USERS }, (_, i) => [`acc${i}`, 'pw']),
    ...Array.from({ length: SILENT_USERS }, (_, i) => [`quiet${i}`, 'pw']),
  ]);
  const prosody = await startProsody({ users, extraComponents: { 'bench.localhost': 'benchsecret' } });
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-bench-'));
  const service = `xmpp://127.0.0.1:${prosody.c2sPort}`;
  const clients: Client[] = [];
  let daemon: ReturnType<typeof spawnServe> | undefined;
  try {
    console.log(`starting ${USERS} auto-accepting xmpp.js clients…`);
    for (let i = 0; i < USERS; i++) clients.push(await startClient(service, `acc${i}`, true));

    console.log('connecting the baseline component…');
    const baseline = component({ service: prosody.service, domain: 'bench.localhost', password: 'benchsecret' });
    baseline.on('error', () => {});
    await baseline.start();
    const caller = (baseline as unknown as { iqCaller: { request(el: unknown, ms: number): Promise<unknown> } }).iqCaller;
    const rawApproval = async (i: number) => {
      await caller.request(
        xml('iq', { type: 'get', to: `acc${i % USERS}@localhost/bench` }, xml('confirm', { xmlns: NS_HTTP_AUTH, id: `b${i}`, method: 'GET', url: 'bench.example' })),
        30_000,
      );
    };

    const configPath = join(dir, 'config.toml');
    writeFileSync(configPath, `[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[log]\nlevel = "info"\n`
      + `[xmpp]\nservice = "${prosody.service}"\ndomain = "auth.localhost"\nsecret = "${prosody.secret}"\n`
      + `[limits]\npending_per_jid = ${PENDING}\nrequests_per_jid_per_minute = 1000000\npending_per_client = ${PENDING * 2}\n`);
    console.log('starting authbridge serve…');
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the daemon.
    daemon = spawnServe(configPath, (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
    const url = await daemon.url;
    for (let i = 0; i < 100 && (await fetch(`${url}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const viaAuth = async (i: number) => {
      const status = await call(agent, `${url}/auth?jid=acc${i % USERS}@localhost/bench&domain=bench.example&method=GET&transaction_id=t${i}&timeout=30`);
      if (status !== 200) throw new Error(`/auth answered ${status}`);
    };

    console.log('warming up…');
    await load(500, CONCURRENCY, rawApproval);
    await load(500, CONCURRENCY, viaAuth);

    // Interleave two rounds of each so that drift on a noisy machine hits both sides.
    const raw: LoadResult[] = [];
    const bridged: LoadResult[] = [];
    const pids = { daemon: daemon.child.pid!, prosody: prosody.pid(), bench: process.pid };
    const cpu = { raw: { daemon: 0, prosody: 0, bench: 0 }, bridged: { daemon: 0, prosody: 0, bench: 0 } };
    const measured = async (side: 'raw' | 'bridged', run: () => Promise<LoadResult>) => {
      const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
      const result = await run();
      for (const [k, pid] of Object.entries(pids)) cpu[side][k as keyof typeof pids] += cpuMs(pid) - before[k]!;
      return result;
    };
    for (let round = 0; round < 2; round++) {
      raw.push(await measured('raw', () => load(REQUESTS, CONCURRENCY, rawApproval)));
      bridged.push(await measured('bridged', () => load(REQUESTS, CONCURRENCY, viaAuth)));
    }
    const perApproval = (c: Record<string, number>) =>
      Object.entries(c).map(([k, ms]) => `${k} ${((ms * 1000) / (2 * REQUESTS)).toFixed(0)} µs`).join(', ');
    const mean = (rs: LoadResult[], k: keyof LoadResult) => rs.reduce((s, r) => s + r[k], 0) / rs.length;
    const a = { p50: mean(raw, 'p50'), p99: mean(raw, 'p99'), perSecond: mean(raw, 'perSecond') };
    const b = { p50: mean(bridged, 'p50'), p99: mean(bridged, 'p99'), perSecond: mean(bridged, 'perSecond') };
    console.log(`(a) raw xmpp.js iq round trip   ${fmt(a)}`);
    console.log(`(b) GET /auth through authbridge ${fmt(b)}`);
    console.log(`CPU per approval (a): ${perApproval(cpu.raw)}`);
    console.log(`CPU per approval (b): ${perApproval(cpu.bridged)}`);
    console.log(`ratio b/a: p50 ${(b.p50 / a.p50).toFixed(2)}  p99 ${(b.p99 / a.p99).toFixed(2)}  throughput ${(a.perSecond / b.perSecond).toFixed(2)} (target ≤ 1.25)`);
    await baseline.stop();

    console.log(`holding ${PENDING} pending requests for ${SILENT_USERS} silent users…`);
    for (let i = 0; i < SILENT_USERS; i++) clients.push(await startClient(service, `quiet${i}`, false));
    const rssBefore = rssMegabytes(daemon.child.pid!);
    await load(PENDING, CONCURRENCY, async (i) => {
      const body = JSON.stringify({ jid: `quiet${i % SILENT_USERS}@localhost`, domain: 'bench.example', method: 'GET', timeout: 300 });
      const status = await call(agent, `${url}/v1/xmpp/requests`, 'POST', body);
      if (status !== 202) throw new Error(`POST /v1/xmpp/requests answered ${status}`);
    });
    await new Promise((r) => setTimeout(r, 2000));
    agent.destroy();
    console.log(`daemon RSS: ${rssBefore.toFixed(0)} MB idle, ${rssMegabytes(daemon.child.pid!).toFixed(0)} MB with ${PENDING} pending (target ≤ 150 MB)`);
  } finally {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.exit;
    }
    await Promise.allSettled(clients.map((c) => c.stop()));
    await prosody.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
