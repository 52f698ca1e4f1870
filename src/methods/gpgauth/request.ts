/** The `gpg_auth` fields of a login request (spec/gpgauth.md §2). */
export interface GpgAuthFields {
  keyid?: unknown;
  server_verify_token?: unknown;
  user_token_result?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Accepts `{gpg_auth:{…}}`, `{data:{gpg_auth:{…}}}` (JSON) and the form field
 * `data[gpg_auth][keyid]=…` (GPG-1). Unknown shapes yield no fields.
 */
export function gpgAuthFields(body: unknown): GpgAuthFields {
  if (!isObject(body)) return {};
  if (isObject(body['gpg_auth'])) return body['gpg_auth'];
  if (isObject(body['data']) && isObject(body['data']['gpg_auth'])) return body['data']['gpg_auth'];
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const match = /^(?:data\[gpg_auth\]|gpg_auth)\[(keyid|server_verify_token|user_token_result)\]$/.exec(name);
    if (match?.[1] !== undefined) fields[match[1]] = value;
  }
  return fields;
}

/** §3: server_verify_token wins, else no user_token_result is stage 1, else stage 2. */
export function stageOf(fields: GpgAuthFields): 0 | 1 | 2 {
  if (fields.server_verify_token !== undefined) return 0;
  return fields.user_token_result === undefined ? 1 : 2;
}

/** §3 step 1: a v4 fingerprint, upper-cased. */
export function normalizeKeyId(keyid: unknown): string | undefined {
  if (typeof keyid !== 'string') return undefined;
  const upper = keyid.toUpperCase();
  return /^[A-F0-9]{40}$/.test(upper) ? upper : undefined;
}

/** §5: the stage-0 token must be an armored PGP MESSAGE block. */
export const isArmoredMessage = (text: unknown): text is string =>
  typeof text === 'string' && /^\s*-----BEGIN PGP MESSAGE-----\r?\n[\s\S]*\r?\n-----END PGP MESSAGE-----\s*$/.test(text);
