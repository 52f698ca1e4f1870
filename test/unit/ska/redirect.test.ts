import { describe, expect, it } from 'vitest';
import { isSafeNext, loginTarget } from '../../../src/methods/ska/redirect.js';

describe('ska login redirect target (spec/ska.md §8, §12.6)', () => {
  it('follows same-origin relative paths', () => {
    for (const next of ['/', '/home', '/a/b?c=d#e', '/évé', '/path//double']) expect(isSafeNext(next), next).toBe(true);
  });

  it('refuses other origins, schemes, backslashes and control characters', () => {
    const unsafe = ['//evil.example', '///evil.example', '/\\evil', '/\\/evil', 'https://evil.example', 'javascript:alert(1)', 'evil', '', '/\t/evil.example', '/\n/evil', '/x\\y', ' /home'];
    for (const next of unsafe) expect(isSafeNext(next), JSON.stringify(next)).toBe(false);
  });

  it('falls back to the provider redirect, then to /', () => {
    expect(loginTarget('/home', 'https://app.example/welcome')).toBe('/home');
    expect(loginTarget('//evil.example', 'https://app.example/welcome')).toBe('https://app.example/welcome');
    expect(loginTarget(undefined, 'https://app.example/welcome')).toBe('https://app.example/welcome');
    expect(loginTarget('https://evil.example', null)).toBe('/');
    expect(loginTarget(undefined, undefined)).toBe('/');
  });
});
