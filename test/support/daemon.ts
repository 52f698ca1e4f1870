import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, type DaemonOptions } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger, silentLogger } from '../../src/log.js';

export interface TestDaemon {
  daemon: Daemon;
  /** `http://127.0.0.1:PORT` */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts a real daemon in this process on a free port with its own SQLite file.
 * `toml` is appended to a base config in which XMPP is disabled; sections given
 * there replace the base ones. Set AUTHBRIDGE_TEST_LOG=debug to see its logs.
 */
export async function startTestDaemon(toml = '', options: DaemonOptions = {}): Promise<TestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-test-'));
  const base: Record<string, string> = {
    http: 'listen = "127.0.0.1:0"\nshutdown_timeout = 5',
    store: `path = "${join(dir, 'authbridge.sqlite')}"`,
    xmpp: 'enabled = false',
  };
  const sections = new Set([...toml.matchAll(/^\[([a-z_]+)\]/gm)].map((m) => m[1]));
  const head = Object.entries(base).filter(([name]) => !sections.has(name)).map(([name, body]) => `[${name}]\n${body}\n`).join('\n');
  const { config } = parseConfig(`${head}\n${toml.replaceAll('$DIR', dir)}`, 'test');
  const level = process.env['AUTHBRIDGE_TEST_LOG'];
  const logger = level ? createLogger(level as 'debug', 'text') : silentLogger();
  const daemon = new Daemon(config, logger, options);
  const address = await daemon.start();
  return {
    daemon,
    url: `http://127.0.0.1:${address.port}`,
    dir,
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
