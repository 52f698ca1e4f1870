import { describe, expect, it } from 'vitest';
import { mappedUsername, parsePrincipal, realmAllowed } from '../../../src/methods/kerberos/principal.js';

describe('parsePrincipal', () => {
  it('splits at the last unescaped @', () => {
    expect(parsePrincipal('alice@TEST.LOCAL')).toEqual({ name: 'alice', realm: 'TEST.LOCAL', text: 'alice@TEST.LOCAL' });
    expect(parsePrincipal('HTTP/localhost@TEST.LOCAL')).toMatchObject({ name: 'HTTP/localhost', realm: 'TEST.LOCAL' });
    expect(parsePrincipal('a\\@b@EXAMPLE.ORG')).toMatchObject({ name: 'a\\@b', realm: 'EXAMPLE.ORG' });
  });

  it('refuses names without a realm', () => {
    expect(parsePrincipal('alice')).toBeUndefined();
    expect(parsePrincipal('alice@')).toBeUndefined();
    expect(parsePrincipal('alice\\@TEST')).toBeUndefined();
    expect(parsePrincipal('@TEST')).toBeUndefined();
  });
});

describe('realm allow-list and mapping (KRB-1)', () => {
  const alice = parsePrincipal('alice@TEST.LOCAL')!;

  it('admits listed realms only, case-sensitively as Kerberos does', () => {
    expect(realmAllowed(alice, ['TEST.LOCAL'])).toBe(true);
    expect(realmAllowed(alice, ['EXAMPLE.ORG'])).toBe(false);
    expect(realmAllowed(alice, ['test.local'])).toBe(false);
    expect(realmAllowed(alice, [])).toBe(false);
  });

  it('strips the realm by default and lets the table win', () => {
    expect(mappedUsername(alice, { user_mapping: 'strip_realm', principal_map: {} })).toBe('alice');
    expect(mappedUsername(alice, { user_mapping: 'strip_realm', principal_map: { 'alice@TEST.LOCAL': 'alice2' } })).toBe('alice2');
  });

  it('maps only listed principals in table mode', () => {
    expect(mappedUsername(alice, { user_mapping: 'table', principal_map: {} })).toBeUndefined();
    expect(mappedUsername(alice, { user_mapping: 'table', principal_map: { 'alice@TEST.LOCAL': 'al' } })).toBe('al');
  });
});
