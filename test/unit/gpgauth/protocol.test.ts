import { createMessage, encrypt, generateKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { decodeUserAuthToken, encodeUserAuthToken } from '../../../src/methods/gpgauth/encoding.js';
import { formatNonce, newNonce, parseNonce } from '../../../src/methods/gpgauth/nonce.js';
import { gpgAuthFields, isArmoredMessage, normalizeKeyId, stageOf } from '../../../src/methods/gpgauth/request.js';

const uuid = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

describe('nonce (GPG-4, spec §9)', () => {
  it('accepts the exact format, UUID in either case', () => {
    expect(parseNonce(formatNonce(uuid))).toBe(uuid);
    expect(parseNonce(formatNonce(uuid.toUpperCase()))).toBe(uuid);
  });

  it('generates v4 UUIDs with crypto.randomUUID that parse back', () => {
    const a = newNonce();
    expect(parseNonce(a.nonce)).toBe(a.uuid);
    expect(newNonce().uuid).not.toBe(a.uuid);
  });

  it.each([
    ['comma delimiter', `gpgauthv1.3.0,36,${uuid},gpgauthv1.3.0`],
    ['wrong version left', `gpgauthv1.2.1|36|${uuid}|gpgauthv1.3.0`],
    ['wrong version right', `gpgauthv1.3.0|36|${uuid}|gpgauthv1.2.1`],
    ['length 32', `gpgauthv1.3.0|32|${uuid}|gpgauthv1.3.0`],
    ['length 0', `gpgauthv1.3.0|0|${uuid}|gpgauthv1.3.0`],
    ['length 64', `gpgauthv1.3.0|64|${uuid}|gpgauthv1.3.0`],
    ['empty length', `gpgauthv1.3.0||${uuid}|gpgauthv1.3.0`],
    ['trailing fifth part', `${formatNonce(uuid)}|x`],
    ['not a v4 UUID', formatNonce('3f2504e0-4f89-11d3-9a0c-0305e82c3301')],
    ['bad variant', formatNonce('3f2504e0-4f89-41d3-7a0c-0305e82c3301')],
    ['not a UUID', formatNonce('x'.repeat(36))],
    ['trailing newline', `${formatNonce(uuid)}\n`],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseNonce(text)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    expect(parseNonce(undefined)).toBeUndefined();
    expect(parseNonce(42)).toBeUndefined();
  });
});

/** PHP's stripslashes(urldecode()), written independently of our decoder. */
function phpDecode(header: string): string {
  const urldecoded = Buffer.from(
    header.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})|([^%])/g, (_m, hex: string | undefined, ch: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : (ch ?? ''))),
    'latin1',
  ).toString('utf8');
  return urldecoded.replace(/\\(.)/g, '$1');
}

describe('PHP-style token encoding (GPG-6, spec §6)', () => {
  const armored = '-----BEGIN PGP MESSAGE-----\n\nwV4DN+a/b=c.d-e_f\n=AbC+\n-----END PGP MESSAGE-----\n';

  it('is quotemeta(urlencode(text))', () => {
    const encoded = encodeUserAuthToken(armored);
    expect(encoded.startsWith('-----BEGIN\\+PGP\\+MESSAGE-----%0A%0AwV4DN%2Ba%2Fb%3Dc\\.d-e_f%0A%3DAbC%2B%0A')).toBe(true);
    expect(encoded).not.toMatch(/[^A-Za-z0-9_.\-%+\\]/);
  });

  it('round-trips real OpenPGP.js messages (sizes of spec §6 for an ed25519 user)', async () => {
    const { privateKey: server } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 's' }], format: 'object' });
    const { publicKey: user } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'u' }], format: 'object' });
    for (let i = 0; i < 5; i++) {
      const real = await encrypt({ message: await createMessage({ text: newNonce().nonce }), encryptionKeys: user, signingKeys: server });
      const encoded = encodeUserAuthToken(real);
      expect(encoded.startsWith('-----BEGIN\\+PGP\\+MESSAGE-----%0A')).toBe(true);
      expect(phpDecode(encoded)).toBe(real);
      expect(decodeUserAuthToken(encoded)).toBe(real);
      expect(real.length).toBeGreaterThan(600);
      expect(real.length).toBeLessThan(660);
    }
  });

  it('round-trips through stripslashes(urldecode()) and our decoder', () => {
    const encoded = encodeUserAuthToken(armored);
    expect(phpDecode(encoded)).toBe(armored);
    expect(decodeUserAuthToken(encoded)).toBe(armored);
  });
});

describe('request shapes and stage selection (GPG-1, spec §3)', () => {
  it('reads the JSON, wrapped JSON and form shapes', () => {
    expect(gpgAuthFields({ gpg_auth: { keyid: 'a' } })).toEqual({ keyid: 'a' });
    expect(gpgAuthFields({ data: { gpg_auth: { keyid: 'b' } } })).toEqual({ keyid: 'b' });
    expect(gpgAuthFields({ 'data[gpg_auth][keyid]': 'c', 'data[gpg_auth][user_token_result]': 't' })).toEqual({ keyid: 'c', user_token_result: 't' });
    expect(gpgAuthFields(null)).toEqual({});
    expect(gpgAuthFields(['x'])).toEqual({});
  });

  it('server_verify_token wins, then no user_token_result is stage 1, else stage 2', () => {
    expect(stageOf({ server_verify_token: 'x', user_token_result: 'y' })).toBe(0);
    expect(stageOf({ keyid: 'k' })).toBe(1);
    expect(stageOf({ user_token_result: '' })).toBe(2);
  });

  it('takes 40-hex fingerprints in either case, nothing else', () => {
    expect(normalizeKeyId('ab'.repeat(20))).toBe('AB'.repeat(20));
    expect(normalizeKeyId('ABCDEF0123456789')).toBeUndefined();
    expect(normalizeKeyId('G'.repeat(40))).toBeUndefined();
    expect(normalizeKeyId(['A'.repeat(40)])).toBeUndefined();
  });

  it('recognises armored PGP MESSAGE blocks only', () => {
    expect(isArmoredMessage('-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----\n')).toBe(true);
    expect(isArmoredMessage('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----\n')).toBe(false);
    expect(isArmoredMessage('hello')).toBe(false);
    expect(isArmoredMessage({})).toBe(false);
  });
});
