import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The system programs the tests need, by Debian package. Nothing is skipped: when
 * one is missing, the test setup installs it (as root with apt-get, as on CI), or
 * fails naming the packages to install.
 */
export const requiredPackages: Record<string, string> = {
  '/usr/bin/prosody': 'prosody',
  '/usr/bin/prosodyctl': 'prosody',
  '/usr/lib/python3/dist-packages/slixmpp/__init__.py': 'python3-slixmpp',
  // Kerberos (spec/kerberos.md §6, KRB-6) and the delegation end-to-end test.
  '/usr/sbin/krb5kdc': 'krb5-kdc',
  '/usr/sbin/kdb5_util': 'krb5-kdc',
  '/usr/sbin/kadmin.local': 'krb5-admin-server',
  '/usr/bin/kinit': 'krb5-user',
  '/usr/bin/kvno': 'krb5-user',
  '/usr/bin/klist': 'krb5-user',
  '/usr/include/gssapi/gssapi_ext.h': 'libkrb5-dev',
  '/usr/bin/curl': 'curl',
  '/usr/bin/psql': 'postgresql',
  '/usr/lib/postgresql': 'postgresql',
};

export function ensureSystemPackages(required: Record<string, string> = requiredPackages): void {
  const missing = [...new Set(Object.entries(required).filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('which', ['apt-get']).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(`the tests need these Debian packages: ${missing.join(' ')} (install them with apt-get as root)`);
  }
  console.log(`installing test dependencies: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}
