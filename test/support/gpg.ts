import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away GNUPGHOME for keys made by real GnuPG (spec/gpgauth.md §14). */
export class GnupgHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'authbridge-gnupg-'));

  gpg(args: string[], input?: string): string {
    return execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      env: { ...process.env, GNUPGHOME: this.dir },
      input: input ?? '',
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Primary [SC] key plus, unless `encryption` is false, an [E] subkey; returns the fingerprint. */
  makeKey(uid: string, kind: 'ed25519' | 'rsa3072', encryption = true): string {
    const status = this.gpg(['--status-fd', '1', '--quick-gen-key', uid, kind, 'sign', 'never']);
    const fingerprint = /^\[GNUPG:\] KEY_CREATED P ([0-9A-F]{40})/m.exec(status)?.[1];
    if (!fingerprint) throw new Error(`gpg made no key for ${uid}`);
    if (encryption) this.gpg(['--quick-add-key', fingerprint, kind === 'ed25519' ? 'cv25519' : 'rsa3072', 'encr', 'never']);
    return fingerprint;
  }

  exportPublic(fingerprint: string): string {
    return this.gpg(['--armor', '--export', fingerprint]);
  }

  exportSecret(fingerprint: string): string {
    return this.gpg(['--armor', '--export-secret-keys', fingerprint]);
  }

  remove(): void {
    try {
      execFileSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: this.dir }, stdio: 'ignore' });
    } catch {
      // no agent was started
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
