import { describe, expect, it } from 'vitest';
import { cidrMatcher } from '../../../src/http/addresses.js';
import { resolveClientIp } from '../../../src/http/middleware/request-context.js';
import { originalParams, originalTimeout } from '../../../src/http/routes/auth.js';

describe('/auth parameters as the original read them', () => {
  it('merges body before query and concatenates repeated keys', () => {
    const params = originalParams('jid=q&timeout=5&jid=r', 'jid=b&domain=d');
    expect(params.get('jid')).toBe('bqr');
    expect(params.get('domain')).toBe('d');
  });

  it('does not split on ";" (spec/xmpp.md §2.2)', () => {
    expect(originalParams('jid=a%40b;domain=x', undefined).get('jid')).toBe('a@b;domain=x');
  });

  it('timeout: invalid or <= 0 → default, above the cap → cap', () => {
    const settings = { default_timeout: 60, max_timeout: 300 };
    expect(originalTimeout(undefined, settings)).toBe(60);
    expect(originalTimeout('abc', settings)).toBe(60);
    expect(originalTimeout('0', settings)).toBe(60);
    expect(originalTimeout('-5', settings)).toBe(60);
    expect(originalTimeout('1.5', settings)).toBe(60);
    expect(originalTimeout('+7', settings)).toBe(7);
    expect(originalTimeout('301', settings)).toBe(300);
    expect(originalTimeout('99999999999999999999', settings)).toBe(60);
  });
});

describe('client address', () => {
  const trusted = cidrMatcher(['10.0.0.0/8']);
  it('believes X-Forwarded-For only from trusted proxies, taking the first untrusted hop from the right', () => {
    expect(resolveClientIp('203.0.113.5', '1.2.3.4', trusted)).toBe('203.0.113.5');
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 10.0.0.7', trusted)).toBe('1.2.3.4');
    expect(resolveClientIp('10.0.0.1', 'spoofed, 198.51.100.2, 10.0.0.7', trusted)).toBe('198.51.100.2');
    expect(resolveClientIp('10.0.0.1', '', trusted)).toBe('10.0.0.1');
  });
  it('matches IPv4-mapped IPv6 and IPv6 CIDRs', () => {
    const loopback = cidrMatcher(['127.0.0.1/32', '::1/128']);
    expect(loopback('::ffff:127.0.0.1')).toBe(true);
    expect(loopback('::1')).toBe(true);
    expect(loopback('127.0.0.2')).toBe(false);
    expect(loopback('not an address')).toBe(false);
  });
});
