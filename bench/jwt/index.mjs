// EdDSA verification through the real path (parse, user and key lookup, signature,
// claims, atomic nonce insert + last_used_on in SQLite) against a bare crypto.verify
// loop on the same tokens, same process. Target: ratio ≥ 0.7.
// Run: npm run build && node bench/jwt/index.mjs
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, authorizationHeader } from '../../dist/methods/jwt/client.js';
import { JwksCache } from '../../dist/methods/jwt/jwks.js';
import { parsePublicKey } from '../../dist/methods/jwt/keys.js';
import { JwtVerifier } from '../../dist/methods/jwt/verifier.js';
import { Store } from '../../dist/store/store.js';
import { silentLogger } from '../../dist/log.js';

// Many short interleaved rounds, so that load from other processes hits both sides alike.
const ROUNDS = 13;
const PER_ROUND = 2_000;
const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/ajwt.json', import.meta.url), 'utf8'));
const key = vectors.keys.ed25519;
const TIME = 1_700_000_000;
const clock = { now: () => TIME * 1000 };

const dir = mkdtempSync(join(tmpdir(), 'authbridge-bench-jwt-'));
const store = new Store(join(dir, 'bench.sqlite'), clock);
const user = store.users.add({ username: 'guido' });
const parsed = parsePublicKey(key.public_pem_spki);
store.jwt.addKey({ userId: user.id, fingerprint: parsed.fingerprint, keyType: parsed.type, publicKey: parsed.pem, comment: null });
const verifier = new JwtVerifier({
  keys: store.jwt,
  jwks: new JwksCache({ ttlMs: 300_000, refreshIntervalMs: 60_000, timeoutMs: 5000, maxBytes: 65536 }, clock, silentLogger()),
  clock,
  settings: { tolerance: 20, audience: undefined, requireBinding: false },
  decoys: Promise.resolve({}),
});

const privateKey = createPrivateKey(key.private_pem_pkcs8);
// Every real verification needs its own nonce (a repeat is a replay); the baseline checks the same tokens.
const headers = Array.from({ length: ROUNDS * PER_ROUND }, (_, i) =>
  authorizationHeader(createToken({ privateKey, username: 'guido', time: TIME, nonce: `n${i.toString(36).padStart(10, '0')}` })));
const publicKey = createPublicKey(key.public_pem_spki);
const bare = headers.map((h) => {
  const token = h.slice(4);
  const dot = token.lastIndexOf('.');
  return { input: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
});

function baseline(round) {
  const started = process.hrtime.bigint();
  for (let i = round * PER_ROUND; i < (round + 1) * PER_ROUND; i++) {
    const { input, signature } = bare[i];
    if (!verify(null, input, publicKey, signature)) throw new Error('baseline: signature did not verify');
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function realPath(round) {
  const started = process.hrtime.bigint();
  for (let i = round * PER_ROUND; i < (round + 1) * PER_ROUND; i++) {
    const result = await verifier.verify(verifier.decode(headers[i]), {});
    if (result.username !== 'guido') throw new Error('real path: not accepted');
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

try {
  // Round 0 warms both paths up (JIT, caches) and is not counted.
  baseline(0);
  await realPath(0);
  let baseSeconds = 0;
  let realSeconds = 0;
  const roundRatios = [];
  for (let round = 1; round < ROUNDS; round++) {
    const base = baseline(round);
    const real = await realPath(round);
    baseSeconds += base;
    realSeconds += real;
    roundRatios.push(base / real);
  }
  roundRatios.sort((a, b) => a - b);
  const median = (roundRatios[5] + roundRatios[6]) / 2;
  const total = (ROUNDS - 1) * PER_ROUND;
  const replay = await verifier.verify(verifier.decode(headers[0]), {}).then(() => 'accepted', (err) => err.failure);
  if (replay !== 'replayed') throw new Error(`a replay was ${replay}`);
  const baseRate = total / baseSeconds;
  const realRate = total / realSeconds;
  console.log(`jwt EdDSA, ${total} tokens in ${ROUNDS - 1} interleaved rounds after a warm-up round (node ${process.version})`);
  console.log(`  bare crypto.verify:               ${baseRate.toFixed(0).padStart(7)} verifications/s`);
  console.log(`  verify + nonce insert (SQLite):   ${realRate.toFixed(0).padStart(7)} verifications/s`);
  console.log(`  ratio: ${(realRate / baseRate).toFixed(3)} (target >= 0.7); median of the ${ROUNDS - 1} round ratios: ${median.toFixed(3)}`);
  console.log(`  nonces recorded: ${store.db.prepare('SELECT COUNT(*) AS n FROM jwt_nonces').get().n} (a replay of the first was refused)`);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
