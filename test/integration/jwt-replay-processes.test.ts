import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationHeader, createToken } from '../../src/methods/jwt/client.js';
import { runCli, spawnServe, type ServeProcess } from '../support/cli.js';
import { vectorKey } from '../support/ajwt-vectors.js';
import { verifyJwt } from '../support/jwt.js';

/**
 * JWT-5 with real `authbridge serve` processes on one SQLite file, as several workers
 * behind a load balancer run: a replay loses whichever process it reaches, also after
 * a process restarts.
 */
describe('replay protection across processes and restarts (JWT-5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-procs-'));
  const config = join(dir, 'config.toml');
  const ed = vectorKey('ed25519');
  const running: ServeProcess[] = [];
  const serve = async () => {
    const daemon = spawnServe(config);
    running.push(daemon);
    return { daemon, url: await daemon.url };
  };
  const stop = async (daemon: ServeProcess) => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toBe(0);
  };

  // Real processes use the real clock: a wide window keeps a slow machine from turning the replay into a stale token.
  beforeAll(() => {
    writeFileSync(
      config,
      `[http]\nlisten = "127.0.0.1:0"\n[log]\nformat = "json"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n[regulation]\nmax_retries = 100000\n[jwt]\ntolerance = 300\n`,
    );
    expect(runCli(['user', 'add', 'guido', '--config', config]).status).toBe(0);
    expect(runCli(['jwt', 'key', 'add', 'guido', '-', '--config', config], ed.public_openssh_with_comment).status).toBe(0);
  });
  afterAll(async () => {
    for (const daemon of running) if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('of 200 simultaneous copies sent to two processes, exactly one is accepted; a restarted process refuses it too', async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const header = authorizationHeader(createToken({ privateKey: ed.private_pem_pkcs8, username: 'guido' }));
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => verifyJwt(i % 2 === 0 ? a.url : b.url, { authorization: header })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 401 && r.body['error'] === 'ERR_TOKEN_REPLAYED')).toHaveLength(199);

    await Promise.all([stop(a.daemon), stop(b.daemon)]);
    const c = await serve();
    expect(await verifyJwt(c.url, { authorization: header })).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REPLAYED' } });
    const fresh = authorizationHeader(createToken({ privateKey: ed.private_pem_pkcs8, username: 'guido' }));
    expect(await verifyJwt(c.url, { authorization: fresh })).toMatchObject({ status: 200, body: { user: 'guido', key_fingerprint: ed.fingerprint_kid } });
    await stop(c.daemon);
  });
});
