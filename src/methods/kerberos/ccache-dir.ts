import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ccachePrefix = 'cc_';

/**
 * The directory delegated credentials are written to (KRB-4): mode 0700, owned by us,
 * one 0600 file per login with an unguessable name.
 */
export class CcacheDirectory {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** Creates the directory (0700) or tightens an existing one; refuses a symlink or another owner. */
  prepare(): void {
    mkdirSync(this.path, { recursive: true, mode: 0o700 });
    const stat = lstatSync(this.path);
    if (!stat.isDirectory()) throw new Error(`${this.path} is not a directory`);
    if (process.getuid && stat.uid !== process.getuid()) throw new Error(`${this.path} belongs to uid ${stat.uid}, not to us`);
    if ((stat.mode & 0o777) !== 0o700) chmodSync(this.path, 0o700);
  }

  /** A fresh, unique file for one login. */
  newFile(): { id: string; path: string; ccacheName: string } {
    const id = randomBytes(16).toString('hex');
    const path = join(this.path, `${ccachePrefix}${id}`);
    return { id, path, ccacheName: `FILE:${path}` };
  }

  /** gss_store_cred_into creates the file 0600; make sure of it anyway. */
  seal(path: string): void {
    chmodSync(path, 0o600);
  }

  remove(path: string): void {
    rmSync(path, { force: true });
  }

  /** Removes cache files nobody knows about (left by a crash); returns how many. */
  removeStrays(known: ReadonlySet<string>): number {
    let removed = 0;
    for (const name of readdirSync(this.path)) {
      const path = join(this.path, name);
      if (!name.startsWith(ccachePrefix) || known.has(path)) continue;
      this.remove(path);
      removed++;
    }
    return removed;
  }
}
