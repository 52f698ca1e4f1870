import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { captureLog } from '../support/log-capture.js';
import { ajwt, vectorKey } from '../support/ajwt-vectors.js';
import { addKey, vectorClock, verifyJwt } from '../support/jwt.js';

describe('JWT verification and the logs', () => {
  it('never writes a token or any part of it into the daemon log, accepted or refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authbridge-jwt-logs-'));
    const { logger, text } = captureLog();
    const { config } = parseConfig(`[http]\nlisten = "127.0.0.1:0"\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n`, 'test');
    const daemon = new Daemon(config, logger, { clock: vectorClock() });
    const vector = ajwt.client_tokens[0]!;
    const [header, payload, signature] = vector.token.split('.') as [string, string, string];
    try {
      const { port } = await daemon.start();
      const url = `http://127.0.0.1:${port}`;
      addKey(daemon.store, 'guido', vectorKey('ed25519').public_pem_spki);
      expect((await verifyJwt(url, { authorization: vector.authorization_header })).status).toBe(200);
      expect((await verifyJwt(url, { authorization: vector.authorization_header })).body['error']).toBe('ERR_TOKEN_REPLAYED');
      expect((await verifyJwt(url, { authorization: `JWT ${header}.${payload}.${signature.slice(0, -4)}AAAA` })).body['error']).toBe('ERR_TOKEN_SIGNATURE');
      expect((await verifyJwt(url, { authorization: `JWT ${header}.${payload}` })).body['error']).toBe('ERR_TOKEN_MALFORMED');
    } finally {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const logged = text();
    expect(logged).toContain('auth.jwt.success');
    expect(logged).toContain('auth.jwt.failure');
    for (const part of [header, payload, signature, signature.slice(0, 20)]) expect(logged).not.toContain(part);
  });
});
