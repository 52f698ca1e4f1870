import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * Resolves a secret given either inline (`name`) or as a file (`name_file`).
 * A relative `*_file` path is looked up in systemd's $CREDENTIALS_DIRECTORY when
 * it is set (LoadCredential=), else relative to the working directory.
 * Returns the secret, or a problem message naming the dotted key.
 */
export function resolveSecret(
  section: string,
  name: string,
  inline: string | undefined,
  file: string | undefined,
  required: boolean,
): { value?: string; problem?: string } {
  const key = `${section}.${name}`;
  if (inline !== undefined && file !== undefined) return { problem: `${key}: give either ${name} or ${name}_file, not both` };
  if (inline !== undefined) return { value: inline };
  if (file === undefined) return required ? { problem: `${key}: required (set ${name} or ${name}_file)` } : {};
  const credentials = process.env['CREDENTIALS_DIRECTORY'];
  const path = !isAbsolute(file) && credentials ? join(credentials, file) : file;
  try {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    return value === '' ? { problem: `${key}_file: ${path} is empty` } : { value };
  } catch (err) {
    return { problem: `${key}_file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
}
