import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ajwt, vectorKey } from '../../support/ajwt-vectors.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const tsc = new URL('../../../node_modules/typescript/bin/tsc', import.meta.url).pathname;

/**
 * `createToken` as TypeScript callers import it: `authbridge/jwt-client` (package.json
 * "exports", declarations emitted by `npm run build`). Resolved by the package's own
 * name, exactly as a dependent project resolves it.
 */
describe('the client API exported as authbridge/jwt-client (JWT-2)', () => {
  it('reproduces every vector token byte for byte through the package import', async () => {
    const script = `
      import { authorizationHeader, createToken } from 'authbridge/jwt-client';
      const vectors = JSON.parse(process.argv[1]);
      console.log(JSON.stringify(vectors.map((v) => authorizationHeader(createToken(v)))));`;
    const inputs = ajwt.client_tokens.map((v) => ({ privateKey: vectorKey(v.key).private_pem_pkcs8, username: v.username, time: v.time, nonce: v.nonce }));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(inputs)], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(ajwt.client_tokens.map((v) => v.authorization_header));
  });

  it('type-checks a strict TypeScript caller against the emitted declarations', async () => {
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', '--types', 'node', 'test/fixtures/jwt-client-consumer.ts'];
    const result = await run(process.execPath, [tsc, ...args], { cwd: root }).then(
      () => 'ok',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(result).toBe('ok');
  });
});
