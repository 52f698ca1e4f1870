import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away GNUPGHOME for keys made by real GnuPG (spec/gpgauth.md §14). */
export class GnupgHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'authbridge-gnupg-'));

  /** Runs gpg non-interactively; `passphrase` protects new keys and unlocks existing ones. */
  gpg(args: string[], input?: string, passphrase = ''): string {
    return execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', passphrase, ...args], {
      env: { ...process.env, GNUPGHOME: this.dir },
      input: input ?? '',
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /**
   * Primary [SC] key plus, unless `encryption` is false, an [E] subkey, protected by
   * `passphrase` when given (spec/gpgauth.md §14); returns the fingerprint.
   */
  makeKey(uid: string, kind: 'ed25519' | 'rsa3072', encryption = true, passphrase = ''): string {
    const status = this.gpg(['--status-fd', '1', '--quick-gen-key', uid, kind, 'sign', 'never'], '', passphrase);
    const fingerprint = /^\[GNUPG:\] KEY_CREATED P ([0-9A-F]{40})/m.exec(status)?.[1];
    if (!fingerprint) throw new Error(`gpg made no key for ${uid}`);
    if (encryption) this.gpg(['--quick-add-key', fingerprint, kind === 'ed25519' ? 'cv25519' : 'rsa3072', 'encr', 'never'], '', passphrase);
    return fingerprint;
  }

  /** An ed25519/cv25519 key made on 2020-01-01 (faked system time) that expired a day later. */
  makeExpiredKey(uid: string): string {
    const past = ['--faked-system-time', '20200101T000000'];
    const status = this.gpg([...past, '--status-fd', '1', '--quick-gen-key', uid, 'ed25519', 'sign', '1d']);
    const fingerprint = /^\[GNUPG:\] KEY_CREATED P ([0-9A-F]{40})/m.exec(status)?.[1];
    if (!fingerprint) throw new Error(`gpg made no key for ${uid}`);
    this.gpg([...past, '--quick-add-key', fingerprint, 'cv25519', 'encr', '1d']);
    return fingerprint;
  }

  /** Revokes a key with the revocation certificate gpg made beside it. */
  revoke(fingerprint: string): void {
    const certificate = readFileSync(join(this.dir, 'openpgp-revocs.d', `${fingerprint}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
    this.gpg(['--import'], certificate);
  }

  exportPublic(fingerprint: string): string {
    return this.gpg(['--armor', '--export', fingerprint]);
  }

  exportSecret(fingerprint: string, passphrase = ''): string {
    return this.gpg(['--armor', '--export-secret-keys', fingerprint], '', passphrase);
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
