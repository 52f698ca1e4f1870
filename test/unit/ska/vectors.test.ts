import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSkaAlgorithm } from '../../../src/methods/ska/algorithms.js';
import { REASON_EXPIRED } from '../../../src/methods/ska/constants.js';
import { parseQuery, queryOfUrl } from '../../../src/methods/ska/params.js';
import { baseString, computeSignature, signedUrl, signRequest, type SkaKey } from '../../../src/methods/ska/sign.js';
import { validateSignedRequest } from '../../../src/methods/ska/validate.js';

interface SignVector {
  id: string;
  algorithm: string;
  secret_key: string;
  auth_user: string;
  valid_until_str: string;
  extra: Record<string, string>;
  extra_insertion_order: string[];
  base_string: string;
  signature: string;
  signed_url: string;
}

const { sign_vectors: vectors } = JSON.parse(readFileSync(new URL('../../vectors/ska-sign.json', import.meta.url), 'utf8')) as { sign_vectors: SignVector[] };

const keyOf = (v: SignVector): SkaKey => {
  const algorithm = parseSkaAlgorithm(v.algorithm);
  if (!algorithm) throw new Error(`unknown algorithm ${v.algorithm}`);
  return { secret: v.secret_key, algorithm, quoter: 'default' };
};
const extraOf = (v: SignVector) => v.extra_insertion_order.map((k) => [k, v.extra[k] as string] as const);
const policy = { maxLifetime: 0, allowPercentInUser: false };
// Between the vectors' past (2013) and future (2100) valid_until values.
const now = Date.UTC(2026, 0, 1);

describe('shared vectors (ska-sign.json)', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    it('reproduces the base string, the signature and the signed URL', () => {
      expect(baseString(v.valid_until_str, v.auth_user, extraOf(v))).toBe(v.base_string);
      expect(computeSignature(v.base_string, keyOf(v))).toBe(v.signature);
      const signed = signRequest({ authUser: v.auth_user, validUntil: v.valid_until_str, extra: extraOf(v) }, keyOf(v));
      expect(signed.signature).toBe(v.signature);
      expect(signedUrl('http://e.com/api/', signed)).toBe(v.signed_url);
    });

    it('validates the signed URL as ska does (valid when in the future, expired when past)', () => {
      const parsed = parseQuery(queryOfUrl(v.signed_url));
      if ('problem' in parsed) throw new Error(parsed.problem);
      const verdict = validateSignedRequest(parsed.params, keyOf(v), now, policy);
      if (Number(v.valid_until_str) * 1000 > now) {
        expect(verdict).toMatchObject({ valid: true, user: v.auth_user, validUntil: v.valid_until_str });
        if (verdict.valid) expect(Object.fromEntries(verdict.extra)).toEqual(v.extra);
      } else {
        expect(verdict).toMatchObject({ valid: false, failure: 'expired', reasons: [REASON_EXPIRED], message: REASON_EXPIRED });
      }
    });
  });
});
