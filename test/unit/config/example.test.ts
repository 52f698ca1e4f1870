import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledConfigPath, parseConfig } from '../../../src/config/load.js';
import { configSchema, secretKeys } from '../../../src/config/schema.js';

// The project rule: config.example.toml shows every key with its true default.

type Shape = Record<string, { _zod: { def: { type: string; innerType?: unknown } } }>;

/** Every key of every section, read from the schema itself. */
function schemaKeys(): [name: string, section: string, key: string, hasDefault: boolean][] {
  return Object.entries(configSchema.shape).flatMap(([section, wrapped]) => {
    const inner = (wrapped._zod.def as { innerType: { shape: Shape } }).innerType;
    return Object.entries(inner.shape).map(([key, schema]): [string, string, string, boolean] => [`${section}.${key}`, section, key, schema._zod.def.type === 'default']);
  });
}

/** `key = …` lines of the example, commented out or not, by section. */
function writtenKeys(text: string): Map<string, { active: Set<string>; commented: Set<string> }> {
  const sections = new Map<string, { active: Set<string>; commented: Set<string> }>();
  let current: { active: Set<string>; commented: Set<string> } | undefined;
  for (const line of text.split('\n')) {
    const header = /^\[([a-z_]+)\]\s*$/.exec(line);
    if (header) {
      current = { active: new Set(), commented: new Set() };
      sections.set(header[1]!, current);
      continue;
    }
    const entry = /^(#\s*)?([a-z_]+)\s*=/.exec(line);
    if (entry && current) (entry[1] === undefined ? current.active : current.commented).add(entry[2]!);
  }
  return sections;
}

const exampleText = readFileSync(bundledConfigPath, 'utf8');
const example = parseConfig(exampleText, bundledConfigPath).config as unknown as Record<string, Record<string, unknown>>;
// An empty file but for the one key without a default (xmpp.secret), set to the example's value.
const defaults = parseConfig('[xmpp]\nsecret = "change-me"\n', 'defaults.toml').config as unknown as Record<string, Record<string, unknown>>;
const written = writtenKeys(exampleText);
const secretNames = new Set(secretKeys.map((s) => `${s.section}.${s.name}`));

describe('config.example.toml', () => {
  it('has every section of the schema, and no other', () => {
    expect([...written.keys()].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it.each(schemaKeys())('shows %s (set to its default, or commented out when it has none)', (_name, section, key, hasDefault) => {
    const lines = written.get(section);
    expect(lines, `[${section}] is missing`).toBeDefined();
    if (hasDefault) {
      expect(lines!.active.has(key), `${section}.${key} has a default, so the example must set it`).toBe(true);
      expect(example[section]![key], `${section}.${key} differs from the schema default`).toEqual(defaults[section]![key]);
    } else {
      expect(lines!.active.has(key) || lines!.commented.has(key), `${section}.${key} is not shown`).toBe(true);
    }
  });

  it('shows both forms of every secret', () => {
    for (const name of secretNames) {
      const [section, key] = name.split('.') as [string, string];
      const lines = written.get(section)!;
      for (const form of [key, `${key}_file`]) {
        expect(lines.active.has(form) || lines.commented.has(form), `${section}.${form} is not shown`).toBe(true);
      }
    }
  });

  it('sets nothing the schema would not default, except the example component secret', () => {
    const differing = Object.keys(example).flatMap((section) =>
      section === 'source' ? [] : Object.keys(example[section]!).filter((key) => JSON.stringify(example[section]![key]) !== JSON.stringify(defaults[section]![key])).map((key) => `${section}.${key}`),
    );
    expect(differing).toEqual([]);
  });
});

describe('README.md configuration table', () => {
  const readme = readFileSync(join(bundledConfigPath, '..', 'README.md'), 'utf8');
  const rows = new Map([...readme.matchAll(/^\| `\[([a-z_]+)\]` \| (.*) \|$/gm)].map((m) => [m[1]!, m[2]!]));

  it.each(schemaKeys())('names %s', (_name, section, key) => {
    expect(rows.get(section), `README has no row for [${section}]`).toBeDefined();
    expect(rows.get(section), `README's [${section}] row does not name ${key}`).toContain(`\`${key}\``);
  });
});
