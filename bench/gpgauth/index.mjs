// gpgAuth benchmark (issue 4): stage-1 token creation in-process vs one
// `gpg --encrypt --sign` subprocess per request (the old gpgAuth Django example),
// same run; then stage-0 decrypts per second with an ed25519/cv25519 and an
// RSA-3072 server key. Run after `npm run build`: node bench/gpgauth/index.mjs
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessage, encrypt, readKey } from 'openpgp';
import { ManualClock } from '../../dist/clock.js';
import { Regulation } from '../../dist/regulation/regulation.js';
import { Store } from '../../dist/store/store.js';
import { loadServerKey } from '../../dist/methods/gpgauth/server-key.js';
import { GpgAuthService } from '../../dist/methods/gpgauth/service.js';

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

async function time(label, fn) {
  await fn(); // warm-up
  const samples = [];
  for (let i = 0; i < N; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(N / 2)];
  const mean = samples.reduce((a, b) => a + b, 0) / N;
  console.log(`${label.padEnd(58)} median ${median.toFixed(2).padStart(7)} ms  mean ${mean.toFixed(2).padStart(7)} ms  ${(1000 / mean).toFixed(1).padStart(7)} /s`);
  return { mean, median };
}

function serviceWith(serverKey) {
  const clock = new ManualClock(Date.now());
  const store = new Store(':memory:', clock);
  const regulation = new Regulation(store.db, clock, { max_retries: 1e9, find_time: 60, ban_time: 60 });
  const settings = { token_ttl: 300, max_active_tokens: 5, debug: false, unknown_key_message: 'There is no user associated with this key.' };
  return { store, service: new GpgAuthService({ serverKey, store, clock, regulation, settings }) };
}

async function serverKeyFromGpg(fpr) {
  const file = join(home, `${fpr}.sec.asc`);
  writeFileSync(file, gpg(['--armor', '--export-secret-keys', fpr]));
  return loadServerKey(file, undefined);
}

try {
  console.log(`gpgAuth benchmark, ${N} sequential operations each (node ${process.version}, ${(await import('node:os')).cpus().length} CPUs)\n`);
  const userFpr = makeKey('Bench User <user@bench.test>', 'ed25519');
  const edServerFpr = makeKey('Bench Server <server@bench.test>', 'ed25519');
  const rsaServerFpr = makeKey('Bench RSA Server <rsa@bench.test>', 'rsa3072');

  // Stage 1: token creation (encrypt to the ed25519 user, sign with the ed25519 server key).
  const ed = serviceWith(await serverKeyFromGpg(edServerFpr));
  const user = ed.store.users.add({ username: 'user' });
  ed.store.gpgKeys.add(user.id, userFpr, gpg(['--armor', '--export', userFpr]));
  const stage1 = { gpg_auth: { keyid: userFpr } };
  const inProcess = await time('stage 1 in-process (GpgAuthService, OpenPGP.js)', async () => {
    const outcome = await ed.service.handle(stage1, '127.0.0.1');
    if (!outcome.headers['X-GPGAuth-User-Auth-Token']) throw new Error('stage 1 failed');
  });
  const userPublic = await readKey({ armoredKey: gpg(['--armor', '--export', userFpr]) });
  const serverPrivate = ed.service.serverKey.privateKey;
  await time('  of which OpenPGP.js encrypt+sign alone', async () => {
    await encrypt({ message: await createMessage({ text: `gpgauthv1.3.0|36|${randomUUID()}|gpgauthv1.3.0` }), encryptionKeys: userPublic, signingKeys: serverPrivate });
  });
  const subprocess = await time('stage 1 baseline (one gpg --encrypt --sign per request)', async () => {
    const out = await gpgEncryptSign(`gpgauthv1.3.0|36|${randomUUID()}|gpgauthv1.3.0`, userFpr, edServerFpr);
    if (!out.includes('BEGIN PGP MESSAGE')) throw new Error('gpg produced no message');
  });
  console.log(`\nstage 1 speed-up, whole in-process stage vs gpg subprocess (target >= 5x): ${(subprocess.mean / inProcess.mean).toFixed(1)}x by means, ${(subprocess.median / inProcess.median).toFixed(1)}x by medians\n`);

  // Stage 0: the server decrypts the client's nonce.
  for (const [label, fpr] of [['ed25519/cv25519', edServerFpr], ['RSA-3072', rsaServerFpr]]) {
    const { service } = serviceWith(await serverKeyFromGpg(fpr));
    const serverPublic = await readKey({ armoredKey: gpg(['--armor', '--export', fpr]) });
    const nonce = `gpgauthv1.3.0|36|${randomUUID()}|gpgauthv1.3.0`;
    const token = await encrypt({ message: await createMessage({ text: nonce }), encryptionKeys: serverPublic });
    const request = { gpg_auth: { keyid: userFpr, server_verify_token: token } };
    await time(`stage 0 decrypt, ${label} server key`, async () => {
      const outcome = await service.handle(request, '127.0.0.1');
      if (outcome.headers['X-GPGAuth-Verify-Response'] !== nonce) throw new Error('stage 0 failed');
    });
  }
} finally {
  try {
    execFileSync('gpgconf', ['--kill', 'all'], { env, stdio: 'ignore' });
  } catch {
    // no agent
  }
  rmSync(home, { recursive: true, force: true });
}
