import { describe, expect, it } from 'vitest';
import { parseJid } from '../../../src/xmpp/jid.js';

describe('parseJid', () => {
  it('parses and normalizes bare and full JIDs', () => {
    expect(parseJid('Alice@Example.ORG/Phone')).toEqual({
      local: 'alice', domain: 'example.org', resource: 'Phone', bare: 'alice@example.org', full: 'alice@example.org/Phone',
    });
    expect(parseJid('bob@localhost')).toMatchObject({ resource: undefined, full: 'bob@localhost' });
    expect(parseJid('bob@localhost/a/b@c')).toMatchObject({ resource: 'a/b@c' });
  });

  it.each([
    ['', 'empty'],
    ['alice@', 'empty domain (crashes @xmpp/middleware)'],
    ['a@@b', 'two @'],
    ['@localhost', 'empty local part'],
    ['alice@localhost/', 'trailing slash'],
    ['al ice@localhost', 'whitespace in local part'],
    ['alice@local host', 'whitespace in domain'],
    ['localhost', 'no local part'],
    ['alice@-bad.example', 'label starting with a hyphen'],
    ['alice@example..org', 'empty label'],
    ['a<b@localhost', 'forbidden character'],
    ['alice@localhost/\u0000', 'control character'],
    [`${'a'.repeat(1024)}@localhost`, 'local part over 1023 bytes'],
    [`a@localhost/${'r'.repeat(1024)}`, 'resource over 1023 bytes'],
  ])('refuses %j (%s)', (input) => {
    expect(parseJid(input)).toBeUndefined();
  });
});
