import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface ProsodyServer {
  dir: string;
  host: 'localhost';
  component: string;
  secret: string;
  c2sPort: number;
  componentPort: number;
  /** `xmpp://127.0.0.1:PORT` for authbridge's xmpp.service. */
  service: string;
  /** Creates accounts by writing Prosody's internal_plain store (no prosodyctl round trip per user). */
  addUsers(users: Record<string, string>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The server's process id (it runs in the foreground: -F). */
  pid(): number;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;
// Prosody refuses to run as root; as root (CI) we drop to nobody (spec/xmpp.md §10).
const asServerUser = (command: string, args: string[]): [string, string[]] =>
  isRoot ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', command, ...args]] : [command, args];

function chownTree(path: string): void {
  if (isRoot) spawnSync('chown', ['-R', 'nobody:nogroup', path]);
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`Prosody did not open port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * A private Prosody 0.12 in a temp dir on free loopback ports, with the component
 * `auth.localhost`. mod_offline is off, so messages to offline users bounce
 * (XMPP-24); no TLS, no s2s.
 */
export async function startProsody(
  options: { secret?: string; users?: Record<string, string>; extraComponents?: Record<string, string> } = {},
): Promise<ProsodyServer> {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-prosody-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'certs'));
  const [c2sPort, componentPort] = [await freePort(), await freePort()];
  const secret = options.secret ?? 'testsecret';
  const configPath = join(dir, 'prosody.cfg.lua');
  writeFileSync(
    configPath,
    `data_path = "${dir}/data"
pidfile = "${dir}/prosody.pid"
certificates = "${dir}/certs"
interfaces = { "127.0.0.1" }
c2s_ports = { ${c2sPort} }
component_ports = { ${componentPort} }
component_interfaces = { "127.0.0.1" }
http_ports = { }
https_ports = { }
modules_enabled = { "disco", "roster", "saslauth", "ping", "posix", "presence" }
modules_disabled = { "s2s", "offline", "tls" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
-- xmpp.js 0.13's SCRAM-SHA-1 fails against Prosody 0.12 (malformed-request); PLAIN suits a test server.
disable_sasl_mechanisms = { "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS" }
authentication = "internal_plain"
log = { { levels = { min = "info" }, to = "file", filename = "${dir}/prosody.log" } }
VirtualHost "localhost"
Component "auth.localhost"
  component_secret = "${secret}"
${Object.entries(options.extraComponents ?? {}).map(([domain, componentSecret]) => `Component "${domain}"\n  component_secret = "${componentSecret}"\n`).join('')}`,
  );
  chmodDir(dir);

  let child: ChildProcess | undefined;
  const server: ProsodyServer = {
    dir,
    host: 'localhost',
    component: 'auth.localhost',
    secret,
    c2sPort,
    componentPort,
    service: `xmpp://127.0.0.1:${componentPort}`,
    addUsers(users) {
      const accounts = join(dir, 'data', 'localhost', 'accounts');
      mkdirSync(accounts, { recursive: true });
      for (const [user, password] of Object.entries(users)) {
        writeFileSync(join(accounts, `${encodeStoreName(user)}.dat`), `return {\n\t["password"] = ${JSON.stringify(password)};\n};\n`);
      }
      chownTree(join(dir, 'data'));
    },
    async start() {
      const [command, args] = asServerUser('prosody', ['-F', '--config', configPath]);
      child = spawn(command, args, { stdio: 'ignore' });
      await waitForPort(componentPort, 10_000);
      await waitForPort(c2sPort, 10_000);
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      child = undefined;
    },
    pid() {
      if (child?.pid === undefined) throw new Error('Prosody is not running');
      return child.pid;
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.users) server.addUsers(options.users);
  await server.start();
  return server;
}

/** Prosody's storage file names escape everything but [a-zA-Z0-9] as %XX. */
function encodeStoreName(name: string): string {
  return name.replace(/[^a-zA-Z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function chmodDir(dir: string): void {
  spawnSync('chmod', ['755', dir]);
  chownTree(dir);
}

export function prosodyLog(server: ProsodyServer): string {
  try {
    return readFileSync(join(server.dir, 'prosody.log'), 'utf8');
  } catch {
    return '';
  }
}
