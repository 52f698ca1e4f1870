/**
 * Strict JID parsing (RFC 7622 shape, simplified): authbridge refuses anything it
 * could not safely put in a `to` attribute. In particular an empty domain
 * (`alice@`) must never reach the server: Prosody's bounce then has
 * `from='alice@'`, which crashes @xmpp/middleware (spec/xmpp.md §9.5).
 */
export interface Jid {
  local: string;
  domain: string;
  resource: string | undefined;
  /** `local@domain`, local part and domain lower-cased. */
  bare: string;
  /** `bare/resource`, or `bare` when there is no resource. */
  full: string;
}

const MAX_PART_BYTES = 1023;
// RFC 7622 §3.3.1: characters a localpart may not contain.
const FORBIDDEN_IN_LOCAL = /["&'/:<>@\s]/u;
const FORBIDDEN_IN_DOMAIN = /[\s@/"&'<>\\]/u;
// Control characters are never allowed, not even in a resource.
const CONTROL = /[\u0000-\u001f\u007f]/u;

const tooLong = (part: string) => Buffer.byteLength(part, 'utf8') > MAX_PART_BYTES;

/** Parses and normalizes a JID; returns undefined for anything malformed. */
export function parseJid(input: string): Jid | undefined {
  if (input.length === 0 || CONTROL.test(input)) return undefined;
  const slash = input.indexOf('/');
  const bareInput = slash === -1 ? input : input.slice(0, slash);
  const resource = slash === -1 ? undefined : input.slice(slash + 1);
  if (resource !== undefined && (resource === '' || tooLong(resource) || resource.trim() !== resource)) return undefined;

  const at = bareInput.indexOf('@');
  if (at === -1 || at !== bareInput.lastIndexOf('@')) return undefined;
  const local = bareInput.slice(0, at).toLowerCase();
  const domain = bareInput.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (local === '' || tooLong(local) || FORBIDDEN_IN_LOCAL.test(local)) return undefined;
  if (!isValidDomain(domain)) return undefined;

  const bare = `${local}@${domain}`;
  return { local, domain, resource, bare, full: resource === undefined ? bare : `${bare}/${resource}` };
}

function isValidDomain(domain: string): boolean {
  if (domain === '' || tooLong(domain) || FORBIDDEN_IN_DOMAIN.test(domain)) return false;
  if (domain.startsWith('[')) return /^\[[0-9a-f:.]+\]$/.test(domain);
  return domain.split('.').every((label) => label !== '' && !label.startsWith('-') && !label.endsWith('-'));
}

/** Normalizes an address we received (a stanza's `from`); undefined when it does not parse. */
export function normalizeFrom(from: string | undefined): Jid | undefined {
  return from === undefined ? undefined : parseJid(from);
}
