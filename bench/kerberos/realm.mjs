import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/**
 * The benchmark's throwaway realm: the same setup as test/support/kdc.ts (spec/kerberos.md
 * §6), reduced to what the benchmark needs: alice, HTTP/localhost and its keytab.
 */
export async function startBenchRealm() {
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-bench-kdc-'));
  const port = await freePort();
  const krb5Config = join(dir, 'krb5.conf');
  writeFileSync(krb5Config, `[libdefaults]
  default_realm = TEST.LOCAL
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
  forwardable = true
  udp_preference_limit = 1
[realms]
  TEST.LOCAL = {
    kdc = 127.0.0.1:${port}
  }
[domain_realm]
  localhost = TEST.LOCAL
`);
  writeFileSync(join(dir, 'kdc.conf'), `[kdcdefaults]
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}
[realms]
  TEST.LOCAL = {
    database_name = ${dir}/principal
    key_stash_file = ${dir}/stash
    acl_file = ${dir}/kadm5.acl
  }
`);
  const env = { ...process.env, KRB5_CONFIG: krb5Config, KRB5_KDC_PROFILE: join(dir, 'kdc.conf') };
  const run = (program, args, input) => execFileSync(program, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'] });
  run('kdb5_util', ['create', '-s', '-r', 'TEST.LOCAL', '-P', 'master-password']);
  run('kadmin.local', ['-q', 'addprinc -pw alice-pw alice']);
  run('kadmin.local', ['-q', 'addprinc -randkey HTTP/localhost']);
  const keytab = join(dir, 'http.keytab');
  run('kadmin.local', ['-q', `ktadd -k ${keytab} HTTP/localhost`]);
  run('krb5kdc', ['-P', join(dir, 'kdc.pid')]);
  const ccache = join(dir, 'alice.ccache');
  for (let attempt = 0; ; attempt++) {
    try {
      run('kinit', ['-c', `FILE:${ccache}`, 'alice'], 'alice-pw\n');
      break;
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 20)); // the KDC is still binding its port
    }
  }
  return {
    dir,
    krb5Config,
    keytab,
    ccache,
    stop() {
      try {
        process.kill(Number(readFileSync(join(dir, 'kdc.pid'), 'utf8')), 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
