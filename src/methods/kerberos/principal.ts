/**
 * Principal handling, pure: the realm allow-list comes first, mapping second (KRB-1).
 */

export interface Principal {
  /** Everything before the realm: `alice`, `alice/admin`. */
  name: string;
  realm: string;
  /** As the mechanism printed it: `alice@TEST.LOCAL`. */
  text: string;
}

/** Splits `name@REALM` at the last unescaped `@`; undefined when there is no realm. */
export function parsePrincipal(text: string): Principal | undefined {
  for (let i = text.length - 1; i > 0; i--) {
    if (text[i] !== '@') continue;
    let backslashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) backslashes++;
    if (backslashes % 2 === 1) continue;
    const realm = text.slice(i + 1);
    return realm === '' ? undefined : { name: text.slice(0, i), realm, text };
  }
  return undefined;
}

export const realmAllowed = (principal: Principal, realms: readonly string[]): boolean => realms.includes(principal.realm);

export interface MappingSettings {
  user_mapping: 'strip_realm' | 'table';
  principal_map: Readonly<Record<string, string>>;
}

/**
 * The local user name a principal maps to, if any: the table wins; `strip_realm` then
 * drops the realm (`alice@TEST.LOCAL` → `alice`). Identities attached with
 * `authbridge user add --principal` are looked up before this (see the service).
 */
export function mappedUsername(principal: Principal, settings: MappingSettings): string | undefined {
  const listed = settings.principal_map[principal.text];
  if (listed !== undefined) return listed;
  return settings.user_mapping === 'strip_realm' ? principal.name : undefined;
}
