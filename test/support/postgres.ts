import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './kdc.js';

/** Where Debian's postgresql package puts the server programs (the newest installed major). */
export function postgresBinDir(): string {
  const majors = readdirSync('/usr/lib/postgresql').map(Number).filter((n) => n > 0).sort((a, b) => b - a);
  if (majors[0] === undefined) throw new Error('no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)');
  return `/usr/lib/postgresql/${majors[0]}/bin`;
}

export interface TestPostgres {
  port: number;
  /** Runs psql over TCP to 127.0.0.1 as `user`, with `env` supplying the Kerberos credentials. */
  query(user: string, sql: string, env: NodeJS.ProcessEnv): Promise<string>;
  stop(): void;
}

/**
 * A throwaway PostgreSQL server on a free loopback port whose TCP logins use GSSAPI
 * (`gss` in pg_hba.conf, `krb_server_keyfile`). The server refuses to run as root,
 * so under root it runs as the `postgres` system user.
 */
export async function startTestPostgres(options: { keytab: string; krb5Config: string; realm: string; roles: string[] }): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-pg-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const asServer = (program: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args, {
      env: { ...process.env, KRB5_CONFIG: options.krb5Config, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  const data = join(dir, 'data');
  const keytab = join(dir, 'postgres.keytab');
  copyFileSync(options.keytab, keytab);
  chmodSync(keytab, 0o600);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(keytab, owner.uid, owner.gid);
  }
  const port = await freePort();
  asServer(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  writeFileSync(join(data, 'pg_hba.conf'), `local all postgres trust\nhost all all 127.0.0.1/32 gss include_realm=0 krb_realm=${options.realm}\n`);
  appendFileSync(
    join(data, 'postgresql.conf'),
    `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nkrb_server_keyfile = '${keytab}'\nfsync = off\n`,
  );
  asServer(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', 'start']);
  const stop = () => {
    try {
      asServer(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    for (const role of options.roles) asServer('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', `CREATE ROLE "${role}" LOGIN`]);
  } catch (err) {
    stop();
    throw err;
  }

  return {
    port,
    query: (user, sql, env) =>
      new Promise((resolve, reject) => {
        const conninfo = `host=localhost hostaddr=127.0.0.1 port=${port} dbname=postgres user=${user}`;
        execFile('psql', [conninfo, '-X', '-A', '-t', '-c', sql], { env: { ...env, PGCONNECT_TIMEOUT: '10' } }, (err, stdout, stderr) =>
          err ? reject(new Error(`psql failed: ${stderr || err.message}`)) : resolve(stdout.trim()),
        );
      }),
    stop,
  };
}
