// ska verification throughput: GET /v1/ska/verify against a bare koa route on the
// same server, same autocannon client, same run; then the pure core alone.
// Run after `npm run build`: node bench/ska/index.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { systemClock } from '../../dist/clock.js';
import { parseConfig } from '../../dist/config/load.js';
import { createHttpApp, named } from '../../dist/http/app.js';
import { silentLogger } from '../../dist/log.js';
import { createSkaModule } from '../../dist/methods/ska/module.js';
import { parseQuery } from '../../dist/methods/ska/params.js';
import { formatValidUntil, signedUrl, signRequest } from '../../dist/methods/ska/sign.js';
import { validateSignedRequest } from '../../dist/methods/ska/validate.js';
import { Regulation } from '../../dist/regulation/regulation.js';
import { Store } from '../../dist/store/store.js';

// Rounds alternate bare / ska so that load from elsewhere on the machine hits both alike.
const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = 8;
const CONNECTIONS = 20;
const secret = 'bench-secret-of-at-least-32-bytes-long';
const key = { secret, algorithm: 'HMAC-SHA256', quoter: 'default' };

const dir = mkdtempSync(join(tmpdir(), 'authbridge-bench-ska-'));
const { config } = parseConfig(
  `[store]\npath = "${join(dir, 'bench.sqlite')}"\n[xmpp]\nenabled = false\n[ska]\nsecret = "${secret}"\nalgorithm = "HMAC-SHA256"\n`,
  'bench',
);
const logger = silentLogger();
const store = new Store(config.store.path, systemClock);
const regulation = new Regulation(store.db, systemClock, config.regulation);
const ska = createSkaModule({ config, store, clock: systemClock, logger, regulation });
// The baseline answers a constant of the same bytes and headers as the ska answer:
// autocannon parses responses in JS on this same thread, so a smaller constant
// would charge the client's parsing to verification.
let constantBody = { ok: true };
const bare = (router) => router.get('/bare', named('/bare'), function constant(ctx) {
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = constantBody;
});
const app = createHttpApp({ config, logger, store, readiness: [] }, [ska.routes, bare]);
const server = createServer(app.callback());
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const signed = signRequest(
  { authUser: 'alice', validUntil: formatValidUntil(Date.now() / 1000 + 3600), extra: [['email', 'alice@example.org'], ['first_name', 'Alice']] },
  key,
);
const query = signedUrl('', signed).slice(1);
const check = await fetch(`${base}/v1/ska/verify?${query}`);
if (check.status !== 200) throw new Error(`the signed request does not verify: ${check.status} ${await check.text()}`);
constantBody = await check.json();

const run = (path) =>
  new Promise((resolve, reject) => {
    autocannon({ url: `${base}${path}`, connections: CONNECTIONS, duration: DURATION }, (err, result) => {
      if (err) return reject(err);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve(result.requests.average);
    });
  });

await run('/bare'); // warm-up, not counted
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate which goes first, so a drift in machine load does not favour one side.
  const [first, second] = i % 2 === 0 ? ['/bare', `/v1/ska/verify?${query}`] : [`/v1/ska/verify?${query}`, '/bare'];
  const a = await run(first);
  const b = await run(second);
  const [bareRps, skaRps] = i % 2 === 0 ? [a, b] : [b, a];
  rounds.push({ bareRps, skaRps, ratio: skaRps / bareRps });
  console.log(`round ${i + 1}: bare ${bareRps.toFixed(0)} req/s, ska ${skaRps.toFixed(0)} req/s, ratio ${(skaRps / bareRps).toFixed(3)}`);
}
const sum = (f) => rounds.reduce((t, r) => t + f(r), 0);
const bareRps = sum((r) => r.bareRps) / ROUNDS;
const skaRps = sum((r) => r.skaRps) / ROUNDS;
const median = rounds.map((r) => r.ratio).sort((a, b) => a - b);
const medianRatio = (median[ROUNDS / 2 - 1] + median[ROUNDS / 2]) / 2;

const parsed = parseQuery(query);
const policy = { maxLifetime: 0, allowPercentInUser: false };
let calls = 0;
const started = process.hrtime.bigint();
const until = started + 3_000_000_000n;
while (process.hrtime.bigint() < until) {
  for (let i = 0; i < 1000; i++) {
    if (!validateSignedRequest(parsed.params, key, Date.now(), policy).valid) throw new Error('core validation failed');
  }
  calls += 1000;
}
const coreRate = calls / (Number(process.hrtime.bigint() - started) / 1e9);

console.log(`bare koa route        ${bareRps.toFixed(0)} req/s (mean of ${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections)`);
console.log(`GET /v1/ska/verify    ${skaRps.toFixed(0)} req/s (audit row, regulation checks, HMAC-SHA256)`);
console.log(`ratio                 ${(skaRps / bareRps).toFixed(3)} of means, ${medianRatio.toFixed(3)} median of rounds (target >= 0.8)`);
console.log(`core validate         ${coreRate.toFixed(0)} calls/s (HMAC-SHA256, 2 extra items)`);

await new Promise((resolve) => server.close(resolve));
store.close();
rmSync(dir, { recursive: true, force: true });
