import { readFileSync } from 'node:fs';

/** A copy of /work/shared/vectors/ajwt.json (reference outputs of asymmetric_jwt_auth 1.2.1). */
export interface AjwtVectors {
  keys: Record<string, {
    type: string;
    private_pem_pkcs8: string;
    public_pem_spki: string;
    public_openssh_with_comment: string;
    fingerprint_kid: string;
    allowed_algorithms: string[];
  }>;
  client_tokens: Array<{ key: string; username: string; time: number; nonce: string; token: string; authorization_header: string }>;
}

export const ajwt = JSON.parse(readFileSync(new URL('../fixtures/ajwt.json', import.meta.url), 'utf8')) as AjwtVectors;

export function vectorKey(name: string) {
  const key = ajwt.keys[name];
  if (!key) throw new Error(`no vector key ${name}`);
  return key;
}
