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
  '/usr/bin/gpg': 'gnupg',
  '/usr/bin/gpg-agent': 'gpg-agent',
  '/usr/bin/curl': 'curl',
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
