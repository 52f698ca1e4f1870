import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The system programs the tests need, by Debian package. Nothing is skipped: when
 * one is missing, the test setup installs it (as root with apt-get, as on CI), or
 * fails naming the packages to install.
 */
export const requiredPackages: Record<string, string> = {
  '/usr/bin/prosody': 'prosody',
  '/usr/bin/prosodyctl': 'prosody',
  '/usr/lib/python3/dist-packages/slixmpp/__init__.py': 'python3-slixmpp',
  '/usr/lib/python3/dist-packages/requests/__init__.py': 'python3-requests',
  '/usr/bin/setpriv': 'util-linux',
  // JWT interop (test/interop/ajwt_client.py runs under Debian's /usr/bin/python3).
  '/usr/bin/python3': 'python3',
  '/usr/lib/python3/dist-packages/jwt/__init__.py': 'python3-jwt',
  '/usr/lib/python3/dist-packages/cryptography/__init__.py': 'python3-cryptography',
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
  '/usr/bin/gpg': 'gnupg',
  '/usr/bin/gpg-agent': 'gpg-agent',
  // OPS-18: the shipped unit is checked with systemd-analyze security.
  '/usr/bin/systemd-analyze': 'systemd',
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
  // Keep package scripts from starting system daemons (Prosody, the KDC) on the default ports.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    writeFileSync(policy, '#!/bin/sh\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}
