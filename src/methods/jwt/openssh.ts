import { createPublicKey, type KeyObject } from 'node:crypto';

/** Thrown for a key text that is not a usable public key; the message says why. */
export class KeyParseError extends Error {}

/** Reads SSH wire-format strings (RFC 4251 §5: uint32 length, then the bytes). */
class SshReader {
  readonly #buf: Buffer;
  #offset = 0;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }
  string(): Buffer {
    if (this.#offset + 4 > this.#buf.length) throw new KeyParseError('truncated OpenSSH key');
    const length = this.#buf.readUInt32BE(this.#offset);
    const start = this.#offset + 4;
    if (start + length > this.#buf.length) throw new KeyParseError('truncated OpenSSH key');
    this.#offset = start + length;
    return this.#buf.subarray(start, this.#offset);
  }
  get done(): boolean {
    return this.#offset === this.#buf.length;
  }
}

/** An mpint (RFC 4251 §5) as unsigned big-endian bytes without leading zeros, for a JWK. */
function unsignedBytes(mpint: Buffer): Buffer {
  if (mpint.length > 0 && (mpint[0] as number) & 0x80) throw new KeyParseError('negative integer in OpenSSH RSA key');
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start++;
  return mpint.subarray(start);
}

/**
 * `ssh-rsa AAAA… [comment]` or `ssh-ed25519 AAAA… [comment]` (spec/jwt.md §7). The
 * type named on the line must match the one inside the blob.
 */
export function parseOpenSshPublicKey(line: string): { key: KeyObject; comment: string | undefined } {
  const parts = line.trim().split(/[ \t]+/);
  const [type, body, ...rest] = parts;
  if (type === undefined || body === undefined) throw new KeyParseError('not an OpenSSH public key line');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) throw new KeyParseError('OpenSSH key body is not base64');
  const reader = new SshReader(Buffer.from(body, 'base64'));
  const innerType = reader.string().toString('latin1');
  if (innerType !== type) throw new KeyParseError(`OpenSSH key says ${type} but holds ${innerType}`);
  let key: KeyObject;
  if (type === 'ssh-ed25519') {
    const x = reader.string();
    if (x.length !== 32) throw new KeyParseError('Ed25519 public key must be 32 bytes');
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }, format: 'jwk' });
  } else if (type === 'ssh-rsa') {
    const e = unsignedBytes(reader.string());
    const n = unsignedBytes(reader.string());
    key = createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') }, format: 'jwk' });
  } else {
    throw new KeyParseError(`unknown key type ${type}: only ssh-rsa and ssh-ed25519 are accepted`);
  }
  if (!reader.done) throw new KeyParseError('trailing bytes after the OpenSSH key');
  const comment = rest.join(' ');
  return { key, comment: comment === '' ? undefined : comment };
}
