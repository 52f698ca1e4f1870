import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CcacheDirectory } from '../../../src/methods/kerberos/ccache-dir.js';

describe('CcacheDirectory (KRB-4)', () => {
  const base = mkdtempSync(join(tmpdir(), 'authbridge-ccdir-'));
  afterEach(() => rmSync(join(base, 'dir'), { recursive: true, force: true }));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('creates the directory 0700 and tightens a looser one', () => {
    const dir = new CcacheDirectory(join(base, 'dir'));
    dir.prepare();
    expect(statSync(dir.path).mode & 0o777).toBe(0o700);
    chmodSync(dir.path, 0o755);
    dir.prepare();
    expect(statSync(dir.path).mode & 0o777).toBe(0o700);
  });

  it('hands out unique FILE: names inside the directory', () => {
    const dir = new CcacheDirectory(join(base, 'dir'));
    const names = new Set(Array.from({ length: 100 }, () => dir.newFile().path));
    expect(names.size).toBe(100);
    const file = dir.newFile();
    expect(file.ccacheName).toBe(`FILE:${file.path}`);
    expect(file.path.startsWith(`${dir.path}/cc_`)).toBe(true);
  });

  it('removes stray cache files but keeps known ones and foreign names', () => {
    const dir = new CcacheDirectory(join(base, 'dir'));
    dir.prepare();
    const known = dir.newFile().path;
    const stray = dir.newFile().path;
    for (const path of [known, stray, join(dir.path, 'README')]) writeFileSync(path, '');
    expect(dir.removeStrays(new Set([known]))).toBe(1);
    expect(readdirSync(dir.path).sort()).toEqual(['README', known.split('/').pop()].sort());
  });
});
