// gpgAuth benchmark (issue 4): stage-1 token creation in-process vs one
// `gpg --encrypt --sign` subprocess per request (the old gpgAuth Django example),
// same run; then stage-0 decrypts per second with an ed25519/cv25519 and an
// RSA-3072 server key. Run after `npm run build`: node bench/gpgauth/index.mjs
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessage, encrypt, readKey } from 'openpgp';
import { ManualClock } from '../../dist/clock.js';
import { Regulation } from '../../dist/regulation/regulation.js';
import { Store } from '../../dist/store/store.js';
import { loadServerKey } from '../../dist/methods/gpgauth/server-key.js';
import { GpgAuthService } from '../../dist/methods/gpgauth/service.js';
import { silentLogger } from '../../dist/log.js';

const N = Number(process.env.N ?? 40);
const home = mkdtempSync(join(tmpdir(), 'authbridge-bench-gpg-'));
const env = { ...process.env, GNUPGHOME: home };
const gpgArgs = ['--batch', '--pinentry-mode', 'loopback', '--passphrase', ''];
const gpg = (args, input = '') => execFileSync('gpg', [...gpgArgs, ...args], { env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

function makeKey(uid, kind) {
  const status = gpg(['--status-fd', '1', '--quick-gen-key', uid, kind, 'sign', 'never']);
  const fpr = /KEY_CREATED P ([0-9A-F]{40})/.exec(status)[1];
  gpg(['--quick-add-key', fpr, kind === 'ed25519' ? 'cv25519' : 'rsa3072', 'encr', 'never']);
  return fpr;
}

/** One gpg subprocess, as the old Django example did per request. */
function gpgEncryptSign(text, recipient, signer) {
  return new Promise((resolve, reject) => {
    const child = spawn('gpg', [...gpgArgs, '--armor', '--trust-model', 'always', '--encrypt', '--recipient', recipient, '--sign', '--local-user', signer], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`gpg exited ${code}`))));
    child.stdin.end(text);
  });
}

const BLOCK = 10;

/**
 * Runs the candidates in alternating blocks (A×10, B×10, C×10, A×10, …) so that load
 * from other processes on the machine falls on all of them alike. Each block starts
 * with one untimed call: a daemon serving requests runs warm, and without it the
 * first call after a switch pays for the previous candidate's cache and scheduler
 * disturbance (about 2 ms here after a gpg subprocess). Prints median and mean.
 */
async function interleaved(candidates) {
  const samples = candidates.map(() => []);
  const cpu = candidates.map(() => 0);
  for (let round = 0; round < Math.ceil(N / BLOCK); round++) {
    for (const [i, { fn, cpuOf = ownCpuMs }] of candidates.entries()) {
      await fn();
      for (let j = 0; j < BLOCK; j++) {
        const cpuBefore = cpuOf();
        const start = process.hrtime.bigint();
        await fn();
        samples[i].push(Number(process.hrtime.bigint() - start) / 1e6);
        cpu[i] += cpuOf() - cpuBefore;
      }
    }
  }
  return candidates.map(({ label }, i) => {
    const sorted = samples[i].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    const mean = sorted.reduce((x, y) => x + y, 0) / sorted.length;
    const cpuMean = cpu[i] / sorted.length;
    console.log(`${label.padEnd(58)} median ${median.toFixed(2).padStart(7)} ms  mean ${mean.toFixed(2).padStart(7)} ms  ${(1000 / mean).toFixed(1).padStart(7)} /s  cpu ${cpuMean.toFixed(2).padStart(6)} ms`);
    return { mean, median, cpuMean };
  });
}

/** CPU time of this process (all threads, so OpenPGP.js's WebCrypto work counts). */
function ownCpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU time of a process by pid, from /proc (10 ms ticks: CLK_TCK is 100 on Linux). */
function cpuMsOf(stat, utimeField) {
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[utimeField]) + Number(fields[utimeField + 1])) * 10;
}

/**
 * Everything one gpg request costs: this process (spawning), the reaped gpg children
 * (cutime + cstime) and gpg-agent, which does the private-key signing.
 */
let agentPid;
function gpgApproachCpuMs() {
  agentPid ??= /^D (\d+)/m.exec(execFileSync('gpg-connect-agent', ['getinfo pid', '/bye'], { env, encoding: 'utf8' }))[1];
  return ownCpuMs() + cpuMsOf('/proc/self/stat', 13) + cpuMsOf(`/proc/${agentPid}/stat`, 11);
}

function serviceWith(serverKey) {
  const clock = new ManualClock(Date.now());
  // A file in WAL mode, as the daemon keeps it (token and audit rows are written per request).
  const store = new Store(join(home, `store-${randomUUID()}.sqlite`), clock);
  const regulation = new Regulation(store.db, clock, { max_retries: 1e9, find_time: 60, ban_time: 60 });
  // The bench measures the work of each stage, not the per-address limit in front of it.
  const settings = { token_ttl: 300, max_active_tokens: 5, crypto_requests_per_ip_per_minute: Number.MAX_SAFE_INTEGER, debug: false, unknown_key_message: 'There is no user associated with this key.' };
  return { store, service: new GpgAuthService({ serverKey, store, clock, regulation, settings, logger: silentLogger() }) };
}

async function serverKeyFromGpg(fpr) {
  const file = join(home, `${fpr}.sec.asc`);
  writeFileSync(file, gpg(['--armor', '--export-secret-keys', fpr]));
  return loadServerKey(file, undefined);
}

try {
  console.log(`gpgAuth benchmark, ${N} sequential operations each, in alternating blocks of ${BLOCK} (node ${process.version}, ${(await import('node:os')).cpus().length} CPUs)\n`);
  const userFpr = makeKey('Bench User <user@bench.test>', 'ed25519');
  const edServerFpr = makeKey('Bench Server <server@bench.test>', 'ed25519');
  const rsaServerFpr = makeKey('Bench RSA Server <rsa@bench.test>', 'rsa3072');

  // Stage 1: token creation (encrypt to the ed25519 user, sign with the ed25519 server key).
  const ed = serviceWith(await serverKeyFromGpg(edServerFpr));
  const user = ed.store.users.add({ username: 'user' });
  ed.store.gpgKeys.add(user.id, userFpr, gpg(['--armor', '--export', userFpr]));
  const stage1 = { gpg_auth: { keyid: userFpr } };
  const userPublic = await readKey({ armoredKey: gpg(['--armor', '--export', userFpr]) });
  const serverPrivate = ed.service.serverKey.privateKey;
  const [inProcess, , subprocess] = await interleaved([
    {
      label: 'stage 1 in-process (GpgAuthService, OpenPGP.js)',
      fn: async () => {
        const outcome = await ed.service.handle(stage1, '127.0.0.1');
        if (!outcome.headers['X-GPGAuth-User-Auth-Token']) throw new Error('stage 1 failed');
      },
    },
    {
      label: '  of which OpenPGP.js encrypt+sign alone',
      fn: async () => {
        await encrypt({ message: await createMessage({ text: `gpgauthv1.3.0|36|${randomUUID()}|gpgauthv1.3.0` }), encryptionKeys: userPublic, signingKeys: serverPrivate });
      },
    },
    {
      label: 'stage 1 baseline (one gpg --encrypt --sign per request)',
      cpuOf: gpgApproachCpuMs,
      fn: async () => {
        const out = await gpgEncryptSign(`gpgauthv1.3.0|36|${randomUUID()}|gpgauthv1.3.0`, userFpr, edServerFpr);
        if (!out.includes('BEGIN PGP MESSAGE')) throw new Error('gpg produced no message');
      },
    },
  ]);
  console.log(`\nstage 1 speed-up, whole in-process stage vs gpg subprocess (target >= 5x): ${(subprocess.mean / inProcess.mean).toFixed(1)}x by means, ${(subprocess.median / inProcess.median).toFixed(1)}x by medians`);
  console.log(`stage 1 CPU per request, in-process vs gpg (spawn + gpg + gpg-agent), less sensitive to other load: ${(subprocess.cpuMean / inProcess.cpuMean).toFixed(1)}x\n`);

  // Stage 0: the server decrypts the client's nonce.
  for (const [label, fpr] of [['ed25519/cv25519', edServerFpr], ['RSA-3072', rsaServerFpr]]) {
    const { service } = serviceWith(await serverKeyFromGpg(fpr));
    const serverPublic = await readKey({ armoredKey: gpg(['--armor', '--export', fpr]) });
    const nonce = `gpgauthv1.3.0|36|${randomUUID()}|gpgauthv1.3.0`;
    const token = await encrypt({ message: await createMessage({ text: nonce }), encryptionKeys: serverPublic });
    const request = { gpg_auth: { keyid: userFpr, server_verify_token: token } };
    await interleaved([
      {
        label: `stage 0 decrypt, ${label} server key`,
        fn: async () => {
          const outcome = await service.handle(request, '127.0.0.1');
          if (outcome.headers['X-GPGAuth-Verify-Response'] !== nonce) throw new Error('stage 0 failed');
        },
      },
    ]);
  }
} finally {
  try {
    execFileSync('gpgconf', ['--kill', 'all'], { env, stdio: 'ignore' });
  } catch {
    // no agent
  }
  rmSync(home, { recursive: true, force: true });
}
