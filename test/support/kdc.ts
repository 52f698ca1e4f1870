import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway MIT Kerberos realm (spec/kerberos.md §6): its own krb5.conf and
 * kdc.conf in a temp dir, a KDC on a free loopback port, principals for people and
 * services, keytabs. Creation takes a fraction of a second.
 */
export interface TestRealm {
  realm: string;
  dir: string;
  port: number;
  /** The krb5.conf clients and acceptors use (rdns and canonicalisation off, KRB-3). */
  krb5Config: string;
  /** The environment for Kerberos programs run against this realm. */
  env: NodeJS.ProcessEnv;
  /** A copy of krb5.conf with extra `[libdefaults]` lines (e.g. ignore_acceptor_hostname); returns its path. */
  configWith(file: string, libdefaults: string): string;
  addPrincipal(name: string, options?: { password?: string; flags?: string }): void;
  /** Writes the principals' keys to a new keytab file and returns its path. */
  keytab(file: string, ...principals: string[]): string;
  /** `kinit -f` into a new file cache (`lifetime` as kinit -l takes it, e.g. "1h"); returns its path. */
  kinit(principal: string, password: string, options?: { lifetime?: string }): string;
  stop(): void;
}

/** A loopback port that is free for both TCP and UDP right now. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: picked } = server.address() as { port: number };
        server.close(() => resolve(picked));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

async function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`the test KDC did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startTestRealm(realm = 'TEST.LOCAL'): Promise<TestRealm> {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-kdc-'));
  // Other local users (postgres in the end-to-end test) read krb5.conf and their keytab here.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const krb5Config = join(dir, 'krb5.conf');
  const kdcConfig = join(dir, 'kdc.conf');
  writeFileSync(
    krb5Config,
    `[libdefaults]
  default_realm = ${realm}
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
  forwardable = true
  udp_preference_limit = 1
  default_ccache_name = FILE:${dir}/default.ccache
[realms]
  ${realm} = {
    kdc = 127.0.0.1:${port}
  }
[domain_realm]
  localhost = ${realm}
`,
    { mode: 0o644 },
  );
  writeFileSync(
    kdcConfig,
    `[kdcdefaults]
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}
[realms]
  ${realm} = {
    database_name = ${dir}/principal
    key_stash_file = ${dir}/stash
    acl_file = ${dir}/kadm5.acl
    max_life = 10h
    max_renewable_life = 7d
  }
[logging]
  kdc = FILE:${dir}/kdc.log
`,
  );
  const env = { ...process.env, KRB5_CONFIG: krb5Config, KRB5_KDC_PROFILE: kdcConfig, KRB5CCNAME: `FILE:${dir}/default.ccache` };
  const run = (program: string, args: string[], input?: string) =>
    execFileSync(program, args, { env, stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) }).toString();
  const kadmin = (query: string) => run('kadmin.local', ['-q', query]);

  run('kdb5_util', ['create', '-s', '-r', realm, '-P', 'master-password']);
  const pidFile = join(dir, 'kdc.pid');
  run('krb5kdc', ['-P', pidFile]);
  const stop = () => {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForTcp(port, 5000);
  } catch (err) {
    stop();
    throw err;
  }

  let caches = 0;
  return {
    realm,
    dir,
    port,
    krb5Config,
    env,
    configWith(file, libdefaults) {
      const path = join(dir, file);
      writeFileSync(path, readFileSync(krb5Config, 'utf8').replace('[libdefaults]\n', `[libdefaults]\n  ${libdefaults}\n`), { mode: 0o644 });
      return path;
    },
    addPrincipal(name, options = {}) {
      const key = options.password === undefined ? '-randkey' : `-pw ${options.password}`;
      kadmin(`addprinc ${key} ${options.flags ?? ''} ${name}`);
    },
    keytab(file, ...principals) {
      const path = join(dir, file);
      for (const principal of principals) kadmin(`ktadd -k ${path} ${principal}`);
      return path;
    },
    kinit(principal, password, options = {}) {
      const path = join(dir, `user-${++caches}.ccache`);
      const lifetime = options.lifetime === undefined ? [] : ['-l', options.lifetime];
      execFileSync('kinit', ['-f', ...lifetime, principal], { env: { ...env, KRB5CCNAME: `FILE:${path}` }, input: `${password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
      return path;
    },
    stop,
  };
}
