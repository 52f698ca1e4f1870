import { describe, expect, it } from 'vitest';
import { negotiateChallenge, readNegotiateHeader } from '../../../src/methods/kerberos/negotiate.js';

describe('readNegotiateHeader (RFC 4559 §4.2)', () => {
  it('finds no Negotiate credentials in absent or other schemes', () => {
    expect(readNegotiateHeader(undefined)).toEqual({ kind: 'absent' });
    expect(readNegotiateHeader('')).toEqual({ kind: 'absent' });
    expect(readNegotiateHeader('Basic YWxpY2U6cHc=')).toEqual({ kind: 'absent' });
    expect(readNegotiateHeader('Bearer abc')).toEqual({ kind: 'absent' });
    expect(readNegotiateHeader('NegotiateYIIB')).toEqual({ kind: 'absent' });
  });

  it('decodes the token, scheme case-insensitively', () => {
    expect(readNegotiateHeader('Negotiate YWJj')).toEqual({ kind: 'token', token: Buffer.from('abc') });
    expect(readNegotiateHeader('negotiate  YWI=')).toEqual({ kind: 'token', token: Buffer.from('ab') });
  });

  it('calls empty, non-base64, badly padded and oversized data malformed', () => {
    for (const value of ['Negotiate', 'Negotiate ', 'Negotiate !!!!', 'Negotiate YWJ', 'Negotiate YW=j', 'Negotiate YWJj YWJj', `Negotiate ${'A'.repeat(90_000)}`]) {
      expect(readNegotiateHeader(value), value.slice(0, 30)).toEqual({ kind: 'malformed' });
    }
  });
});

describe('negotiateChallenge (RFC 4559 §5)', () => {
  it('is bare without a reply token and carries it base64 otherwise', () => {
    expect(negotiateChallenge()).toBe('Negotiate');
    expect(negotiateChallenge(null)).toBe('Negotiate');
    expect(negotiateChallenge(Buffer.alloc(0))).toBe('Negotiate');
    expect(negotiateChallenge(Buffer.from('abc'))).toBe('Negotiate YWJj');
  });
});
