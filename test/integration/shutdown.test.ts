import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe } from '../support/cli.js';

/**
 * SIGTERM/SIGINT on a real `authbridge serve` (OPS-19): stop accepting, let requests
 * in flight finish, exit 0; a second signal or the drain timeout → exit 1.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authbridge-shutdown-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const form = 'jid=alice%40example.org&domain=shop&method=GET&transaction_id=42';

async function serve(shutdownTimeout: number) {
  const config = join(dir, `config-${shutdownTimeout}-${Math.random()}.toml`);
  writeFileSync(config, `[http]\nlisten = "127.0.0.1:0"\nshutdown_timeout = ${shutdownTimeout}\n[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n`);
  const daemon = spawnServe(config);
  const url = new URL(await daemon.url);
  return { daemon, port: Number(url.port) };
}

/** A POST /auth whose body is still on its way: a request in flight. */
function slowRequest(port: number): Promise<{ socket: Socket; response: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form.slice(0, 10)}`);
      let data = '';
      const response = new Promise<string>((done) => {
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => done(data));
      });
      // Give the server a moment to see the request start.
      setTimeout(() => resolve({ socket, response }), 200);
    });
  });
}

describe('graceful shutdown', () => {
  it('SIGTERM lets a request in flight finish, then exits 0', async () => {
    const { daemon, port } = await serve(10);
    const { socket, response } = await slowRequest(port);
    daemon.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // New connections are refused while the old request completes.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const finished = performance.now();
    socket.write(form.slice(10));
    expect(await response).toMatch(/^HTTP\/1\.1 523 /);
    expect(await daemon.exit).toBe(0);
    // The finished keep-alive connection does not hold the exit for keepAliveTimeout (5 s).
    expect(performance.now() - finished).toBeLessThan(3000);
    expect(daemon.output()).toMatch(/"drained":true[^\n]*"message":"daemon.stopped"|"message":"daemon.stopped"[^\n]*"drained":true/);
  });

  it('a second signal forces exit 1', async () => {
    const { daemon, port } = await serve(10);
    const { socket } = await slowRequest(port);
    daemon.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    daemon.child.kill('SIGINT');
    expect(await daemon.exit).toBe(1);
    expect(daemon.output()).toContain('daemon.forced_exit');
    socket.destroy();
  });

  it('requests still running at http.shutdown_timeout are cut and the exit code is 1', async () => {
    const { daemon, port } = await serve(1);
    const { socket, response } = await slowRequest(port);
    const started = performance.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toBe(1);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(daemon.output()).toContain('http.drain_timeout');
    expect(await response).toBe('');
    socket.destroy();
  });
});
