import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hashOf, type SkaAlgorithm } from '../../src/methods/ska/algorithms.js';
import { parseQuery, queryOfUrl } from '../../src/methods/ska/params.js';
import { baseString, signedUrl, signingProblem, signRequest, type SkaKey } from '../../src/methods/ska/sign.js';
import { validateSignedRequest } from '../../src/methods/ska/validate.js';

const script = fileURLToPath(new URL('./ska_sign.py', import.meta.url));

/** A deterministic PRNG (mulberry32), so a failing case can be reproduced. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Unicode, & = / + % space, quote()'s special cases, astral and BMP-private code points.
const alphabet = [...'abcXYZ019_.-~ &=/+%?#!\'()*;,:@$é中ß\u00a0\uFFFD\u{1F600}\u{1F9D1}\u{10FFFF}Жñ'];
const algorithms: SkaAlgorithm[] = ['HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512', 'HMAC-MD5'];

interface Case {
  secret: string;
  algorithm: SkaAlgorithm;
  auth_user: string;
  valid_until: string;
  extra: Array<[string, string]>;
  url: string;
}

function generate(count: number): Case[] {
  const random = prng(20260101);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const text = (max: number) => Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(alphabet)).join('');
  const key = () => pick([() => text(6), () => String(Math.floor(random() * 100)), () => pick(['\u{1F600}', '\u{1F9D1}x', 'ÿ', '\uFFFD']), () => '01'])();
  const cases: Case[] = [];
  while (cases.length < count) {
    const extra: Array<[string, string]> = [];
    const keys = new Set<string>();
    for (let i = Math.floor(random() * 5); i > 0; i--) {
      const k = key();
      if (keys.has(k)) continue;
      keys.add(k);
      extra.push([k, text(12)]);
    }
    const candidate: Case = {
      secret: text(40),
      algorithm: pick(algorithms),
      auth_user: text(10),
      valid_until: pick(['4102444800.0', '4102444800', '4102444800.5', `${3000000000 + Math.floor(random() * 1e9)}.0`]),
      extra,
      url: pick(['', 'http://e.com/api/', 'https://x.example/a b?c=1']),
    };
    // Only inputs our signer accepts (it refuses what a verifier cannot tell from a forgery).
    if (signingProblem({ authUser: candidate.auth_user, validUntil: candidate.valid_until, extra }) === undefined) cases.push(candidate);
  }
  return cases;
}

describe('interop: an independent Python signer (stdlib only) agrees with ours', () => {
  const cases = generate(400);
  const python = JSON.parse(
    execFileSync('/usr/bin/python3', [script], { input: JSON.stringify(cases.map((c) => ({ ...c, hash: hashOf(c.algorithm) }))), maxBuffer: 64 * 1024 * 1024 }).toString('utf8'),
  ) as Array<{ base: string; signature: string; signed_url: string }>;

  it('covers the tricky inputs', () => {
    const values = cases.flatMap((c) => c.extra.flat());
    expect(values.some((v) => v.includes('&'))).toBe(true);
    expect(values.some((v) => v.includes('='))).toBe(true);
    expect(values.some((v) => v.includes('/'))).toBe(true);
    expect(cases.some((c) => c.extra.some(([k]) => /^\d+$/.test(k)))).toBe(true);
    expect(cases.some((c) => c.extra.some(([k]) => /\p{Extended_Pictographic}/u.test(k)))).toBe(true);
    expect(cases.some((c) => c.extra.length >= 3)).toBe(true);
    expect(python).toHaveLength(cases.length);
  });

  it('produces the same base strings, signatures and signed URLs', () => {
    cases.forEach((c, i) => {
      const key: SkaKey = { secret: c.secret, algorithm: c.algorithm, quoter: 'default' };
      const signed = signRequest({ authUser: c.auth_user, validUntil: c.valid_until, extra: c.extra }, key);
      const theirs = python[i];
      expect(baseString(c.valid_until, c.auth_user, c.extra), JSON.stringify(c)).toBe(theirs?.base);
      expect(signed.signature, JSON.stringify(c)).toBe(theirs?.signature);
      expect(signedUrl(c.url, signed), JSON.stringify(c)).toBe(theirs?.signed_url);
    });
  });

  // A URL that already has a query gets a second `?` (upstream layout), which no server parses as ska fields.
  it('validates every URL the Python signer produced for a URL without a query', () => {
    cases.forEach((c, i) => {
      if (c.url.includes('?')) return;
      const parsed = parseQuery(queryOfUrl(python[i]?.signed_url ?? ''));
      if ('problem' in parsed) throw new Error(parsed.problem);
      const verdict = validateSignedRequest(parsed.params, { secret: c.secret, algorithm: c.algorithm, quoter: 'default' }, Date.UTC(2026, 0, 1), { maxLifetime: 0, allowPercentInUser: false });
      expect(verdict, JSON.stringify(c)).toMatchObject({ valid: true, user: c.auth_user });
    });
  });
});

describe('interop: `authbridge ska sign` (built CLI) prints what the Python signer prints', { timeout: 180_000 }, () => {
  const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
  const hand: Case[] = [
    { secret: 'clé secrète 🔑', algorithm: 'HMAC-SHA1', auth_user: 'jöhn dœ', valid_until: '4102444800.0', extra: [['10', 'x'], ['2', 'y'], ['first_name', 'Jöhn & Dœ']], url: 'http://e.com/api/' },
    { secret: 's', algorithm: 'HMAC-SHA512', auth_user: '-a/b+c', valid_until: '4102444800', extra: [['😀', "v=1 /!'()*~"], ['ÿ', '=']], url: '' },
  ];
  const cases = [...hand, ...generate(10).slice(0, 6)];
  const python = JSON.parse(
    execFileSync('/usr/bin/python3', [script], { input: JSON.stringify(cases.map((c) => ({ ...c, hash: hashOf(c.algorithm) }))) }).toString('utf8'),
  ) as Array<{ signed_url: string; dict: string }>;
  const dir = mkdtempSync(join(tmpdir(), 'authbridge-ska-interop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(cases.map((c, i) => [i, c] as const))('case %i: sign --url and sign --dict', (i, c) => {
    const secretFile = join(dir, `key-${i}`);
    writeFileSync(secretFile, c.secret);
    // `--name=value`: a value starting with "-" must not read as an option.
    const args = [main, 'ska', 'sign', `--user=${c.auth_user}`, '--secret-file', secretFile, '--algorithm', c.algorithm, `--valid-until=${c.valid_until}`, ...c.extra.map(([k, v]) => `--extra=${k}=${v}`)];
    const run = (...more: string[]) => execFileSync(process.execPath, [...args, ...more], { encoding: 'utf8' });
    expect(run(...(c.url === '' ? [] : ['--url', c.url])), JSON.stringify(c)).toBe(`${python[i]?.signed_url}\n`);
    expect(run('--dict'), JSON.stringify(c)).toBe(`${python[i]?.dict}\n`);
  });
});
