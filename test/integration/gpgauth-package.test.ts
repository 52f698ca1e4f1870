import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair, startGpgAuthDaemon, type GpgAuthDaemon, type KeyPair } from '../support/gpgauth.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

/**
 * The client is published for TypeScript callers as `authbridge/gpgauth-client`
 * (package.json "exports"); a project that depends on authbridge imports it by that
 * name, with types, and logs in with it (built dist/, as an installed package is).
 */
describe('authbridge/gpgauth-client for TypeScript callers', () => {
  let t: GpgAuthDaemon;
  let alice: KeyPair;
  let project: string;

  beforeAll(async () => {
    t = await startGpgAuthDaemon('[session]\nsecure = false');
    alice = await makeKeyPair('alice');
    await t.addUser('alice', alice);
    project = mkdtempSync(join(tmpdir(), 'authbridge-consumer-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'authbridge'), 'dir');
    // The caller's own openpgp (for its PrivateKey): authbridge's copy.
    symlinkSync(join(root, 'node_modules', 'openpgp'), join(project, 'node_modules', 'openpgp'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  });
  afterAll(async () => {
    await t?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('type-checks a caller against the published declarations', async () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { login, GpgAuthClientError, type LoginStage } from 'authbridge/gpgauth-client';
import type { PrivateKey } from 'openpgp';
export async function go(userKey: PrivateKey): Promise<string> {
  const stages: LoginStage[] = [];
  const { cookie, user, fingerprint } = await login({ server: 'http://127.0.0.1:1', userKey, onStage: (s) => stages.push(s) });
  if (!(new Error() instanceof GpgAuthClientError)) return \`\${user} \${fingerprint} \${cookie}\`;
  return stages.join();
}
// @ts-expect-error the published types reject a missing userKey
void login({ server: 'x' });
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['consumer.ts'] }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', project]).catch((err: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${err.stdout ?? ''}`);
    });
  }, 60_000);

  it('logs in through the package entry point, printing each stage', async () => {
    writeFileSync(join(project, 'key.asc'), alice.privateArmored);
    writeFileSync(
      join(project, 'login.mjs'),
      `import { readFileSync } from 'node:fs';
import { readPrivateKey } from 'openpgp';
import { login } from 'authbridge/gpgauth-client';
const userKey = await readPrivateKey({ armoredKey: readFileSync(new URL('./key.asc', import.meta.url), 'utf8') });
const result = await login({ server: process.argv[2], userKey, serverFingerprint: process.argv[3], onStage: (stage) => console.log(stage) });
console.log(JSON.stringify(result));
`,
    );
    const { stdout } = await run(process.execPath, [join(project, 'login.mjs'), t.url, t.server.fingerprint], { cwd: project });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual(['server-key', 'stage0', 'stage1', 'complete']);
    expect(JSON.parse(lines[4] ?? '')).toMatchObject({ user: 'alice', fingerprint: alice.fingerprint, cookie: expect.stringMatching(/^authbridge_session=/) });
  });
});
