import { describe, expect, it } from 'vitest';
import { REASON_EXPIRED, REASON_INVALID, REASON_TOO_LONG } from '../../../src/methods/ska/constants.js';
import { parseQuery, queryOfUrl } from '../../../src/methods/ska/params.js';
import { baseString, computeSignature, signedUrl, signingProblem, signRequest, type ExtraPairs, type SkaKey } from '../../../src/methods/ska/sign.js';
import { signaturesEqual, validateSignedRequest, type SkaParams } from '../../../src/methods/ska/validate.js';

const key: SkaKey = { secret: 'a-secret-key-of-more-than-32-bytes!!', algorithm: 'HMAC-SHA256', quoter: 'default' };
const now = Date.UTC(2026, 0, 1); // 1767225600
const future = '1767229200.0';
const policy = { maxLifetime: 0, allowPercentInUser: false };

/** The params a verifier receives for a hand-made request (signature over `signedAs`). */
function request(fields: Record<string, string>, signedAs?: { validUntil: string; user: string; extra: ExtraPairs }): SkaParams {
  const params = new Map(Object.entries(fields));
  if (signedAs) params.set('signature', computeSignature(baseString(signedAs.validUntil, signedAs.user, signedAs.extra), key));
  return params;
}

function paramsOf(url: string): SkaParams {
  const parsed = parseQuery(queryOfUrl(url));
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.params;
}

const sign = (user: string, extra: ExtraPairs = [], validUntil = future) => paramsOf(signedUrl('', signRequest({ authUser: user, validUntil, extra }, key)));

describe('ska validation (spec/ska.md §5)', () => {
  it('accepts a fresh signature and returns only the signed extra', () => {
    const params = new Map(sign('alice', [['email', 'a@example.org']]));
    (params as Map<string, string>).set('next', '/unsigned');
    const verdict = validateSignedRequest(params, key, now, policy);
    expect(verdict).toMatchObject({ valid: true, user: 'alice', validUntil: future });
    if (verdict.valid) expect(verdict.extra).toEqual([['email', 'a@example.org']]);
  });

  it('treats valid_until strictly: equal to now is expired', () => {
    const at = String(now / 1000);
    expect(validateSignedRequest(sign('alice', [], at), key, now, policy)).toMatchObject({ valid: false, failure: 'expired', reasons: [REASON_EXPIRED] });
    expect(validateSignedRequest(sign('alice', [], at), key, now - 1, policy)).toMatchObject({ valid: true });
  });

  it('reports both reasons, signature first, joined by one space', () => {
    const verdict = validateSignedRequest(request({ auth_user: 'alice', valid_until: '0', signature: 'x', extra: '' }), key, now, policy);
    expect(verdict).toMatchObject({ valid: false, failure: 'invalid', reasons: [REASON_INVALID, REASON_EXPIRED], message: 'Invalid signature! Signature timestamp expired!' });
  });

  it('uses valid_until verbatim: a reformatted value invalidates the signature', () => {
    const params = new Map(sign('alice', [], '4102444800.0'));
    params.set('valid_until', '4102444800');
    expect(validateSignedRequest(params, key, now, policy)).toMatchObject({ valid: false, failure: 'invalid', reasons: [REASON_INVALID] });
    expect(validateSignedRequest(sign('alice', [], '4102444800'), key, now, policy)).toMatchObject({ valid: true, validUntil: '4102444800' });
  });

  it('refuses tampered fields, wrong keys and algorithms, unpadded and URL-safe signatures', () => {
    const good = sign('alice', [['role', 'user']]);
    const tamper = (name: string, value: string) => validateSignedRequest(new Map(good).set(name, value), key, now, policy);
    expect(tamper('auth_user', 'bob')).toMatchObject({ failure: 'invalid' });
    expect(tamper('role', 'admin')).toMatchObject({ failure: 'invalid' });
    expect(tamper('valid_until', '4102444800.0')).toMatchObject({ failure: 'invalid' });
    const signature = good.get('signature') as string;
    expect(signature).toMatch(/=$/);
    expect(tamper('signature', signature.replace(/=+$/, ''))).toMatchObject({ failure: 'invalid' });
    // A user whose signature holds + or /, so the URL-safe spelling differs.
    const user = Array.from({ length: 100 }, (_, i) => `user${i}`).find((u) => /[+/]/.test(sign(u).get('signature') as string)) as string;
    const standard = sign(user);
    const urlSafe = (standard.get('signature') as string).replaceAll('+', '-').replaceAll('/', '_');
    expect(validateSignedRequest(standard, key, now, policy)).toMatchObject({ valid: true });
    expect(validateSignedRequest(new Map(standard).set('signature', urlSafe), key, now, policy)).toMatchObject({ failure: 'invalid' });
    expect(validateSignedRequest(good, { ...key, secret: 'other' }, now, policy)).toMatchObject({ failure: 'invalid' });
    expect(validateSignedRequest(good, { ...key, algorithm: 'HMAC-SHA512' }, now, policy)).toMatchObject({ failure: 'invalid' });
  });

  it('answers missing fields and empty data with "Invalid signature!" only', () => {
    for (const missing of ['signature', 'auth_user', 'valid_until', 'extra']) {
      const params = new Map(sign('alice', [['k', 'v']]));
      params.delete(missing);
      const verdict = validateSignedRequest(params, key, now, policy);
      expect(verdict, missing).toMatchObject({ valid: false, reasons: [REASON_INVALID] });
    }
    expect(validateSignedRequest(new Map(), key, now, policy)).toMatchObject({ valid: false, reasons: [REASON_INVALID] });
  });

  it('skips listed but absent extra names and ignores the list order', () => {
    const params = new Map(sign('alice', [['b', '2'], ['a', '1']]));
    params.set('extra', 'b,missing,a');
    expect(validateSignedRequest(params, key, now, policy)).toMatchObject({ valid: true });
  });

  it('refuses an extra that lists a signature field', () => {
    const params = new Map(sign('alice'));
    params.set('extra', 'auth_user');
    expect(validateSignedRequest(params, key, now, policy)).toMatchObject({ valid: false, failure: 'malformed', reasons: [REASON_INVALID] });
  });

  it('answers non-numeric and exotic valid_until with "Invalid signature!", never a throw', () => {
    for (const exotic of ['not-a-number', 'inf', 'nan', 'Infinity', '4102444800.0_123', '1e10', ' 4102444800', '4102444800.', '-1', '0x10', '４１０２４４４８００', '4102444800.0000001', '1234567890123', '']) {
      const params = new Map(sign('alice'));
      params.set('valid_until', exotic);
      expect(validateSignedRequest(params, key, now, policy), exotic).toMatchObject({ valid: false, failure: 'malformed', reasons: [REASON_INVALID] });
    }
  });

  it('caps the lifetime when max_lifetime is set (0 disables)', () => {
    const far = sign('alice', [], '4102444800.0');
    expect(validateSignedRequest(far, key, now, { ...policy, maxLifetime: 3600 })).toMatchObject({ valid: false, failure: 'too_long', reasons: [REASON_TOO_LONG] });
    expect(validateSignedRequest(sign('alice', [], String(now / 1000 + 3600)), key, now, { ...policy, maxLifetime: 3600 })).toMatchObject({ valid: true });
    expect(validateSignedRequest(far, key, now, policy)).toMatchObject({ valid: true });
  });

  it('verifies HMAC-MD5 and the javascript quoter when the key says so', () => {
    for (const variant of [{ ...key, algorithm: 'HMAC-MD5' as const }, { ...key, quoter: 'javascript' as const }]) {
      const signed = signRequest({ authUser: 'alice', validUntil: future, extra: [['path', "a/b!'()*"]] }, variant);
      const params = paramsOf(signedUrl('', signed));
      expect(validateSignedRequest(params, variant, now, policy)).toMatchObject({ valid: true });
      expect(validateSignedRequest(params, key, now, policy)).toMatchObject({ valid: false, failure: 'invalid' });
    }
  });

  it('compares signatures without short-circuiting on length or content', () => {
    expect(signaturesEqual('abc=', 'abc=')).toBe(true);
    expect(signaturesEqual('abc', 'abc=')).toBe(false);
    expect(signaturesEqual('abd=', 'abc=')).toBe(false);
  });
});

describe('the three forgeries of spec/ska.md §11 are rejected', () => {
  it('1: underscore in valid_until (user 123_admin re-read as admin)', () => {
    const genuine = sign('123_admin', [], '4102444800.0');
    const forged = request({ signature: genuine.get('signature') as string, auth_user: 'admin', valid_until: '4102444800.0_123', extra: '' });
    expect(baseString('4102444800.0_123', 'admin', [])).toBe(baseString('4102444800.0', '123_admin', []));
    expect(validateSignedRequest(genuine, key, now, policy)).toMatchObject({ valid: true });
    expect(validateSignedRequest(forged, key, now, policy)).toMatchObject({ valid: false, failure: 'malformed', reasons: [REASON_INVALID] });
  });

  it('2: the user/extra separator (alice + first_name=X re-read as user alice_first_name%3DX)', () => {
    const genuine = sign('alice', [['first_name', 'X']]);
    const forged = request({ signature: genuine.get('signature') as string, auth_user: 'alice_first_name%3DX', valid_until: future, extra: '' });
    expect(baseString(future, 'alice_first_name%3DX', [])).toBe(baseString(future, 'alice', [['first_name', 'X']]));
    expect(validateSignedRequest(forged, key, now, policy)).toMatchObject({ valid: false, failure: 'malformed' });
    // Our signer refuses to issue the token whose reverse reading would be undetectable.
    expect(signingProblem({ authUser: 'alice_first_name%3DX', validUntil: future, extra: [] })).toMatch(/%/);
  });

  it('3: & and = inside a value ({a: "1&b=2"} vs {a: "1", b: "2"})', () => {
    const genuine = sign('alice', [['a', '1'], ['b', '2']]);
    const forged = request({ signature: genuine.get('signature') as string, auth_user: 'alice', valid_until: future, extra: 'a', a: '1&b=2' });
    expect(baseString(future, 'alice', [['a', '1&b=2']])).toBe(baseString(future, 'alice', [['a', '1'], ['b', '2']]));
    expect(validateSignedRequest(forged, key, now, policy)).toMatchObject({ valid: false, failure: 'malformed' });
    expect(signingProblem({ authUser: 'alice', validUntil: future, extra: [['a', '1&b=2']] })).toMatch(/&/);
    // A plain & stays valid.
    expect(validateSignedRequest(sign('alice', [['name', 'Jöhn & Dœ']]), key, now, policy)).toMatchObject({ valid: true });
  });

  it('allows % in auth_user only when configured to', () => {
    const params = request({ auth_user: '50%off', valid_until: future, extra: '' }, { validUntil: future, user: '50%off', extra: [] });
    expect(validateSignedRequest(params, key, now, policy)).toMatchObject({ valid: false, failure: 'malformed' });
    expect(validateSignedRequest(params, key, now, { ...policy, allowPercentInUser: true })).toMatchObject({ valid: true });
  });
});
