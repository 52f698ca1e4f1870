// Runs every method's benchmark, one after the other (they would disturb each other
// side by side), or only those named: `npm run bench -- ska jwt`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const benches = {
  xmpp: 'dist-bench/bench/xmpp/index.js',
  ska: 'bench/ska/index.mjs',
  jwt: 'bench/jwt/index.mjs',
  gpgauth: 'bench/gpgauth/index.mjs',
  kerberos: 'bench/kerberos/index.mjs',
};
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const [name, script] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n=== bench/${name}`);
  const { status } = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
