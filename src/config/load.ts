import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, parseListen, secretKeys, type ParsedConfig } from './schema.js';
import { resolveSecret } from './secrets.js';

export type Config = ParsedConfig & {
  /** The file this configuration came from. */
  source: string;
};

export interface LoadedConfig {
  config: Config;
  /** Unsafe but legal settings, printed loudly at start-up. */
  warnings: string[];
}

export const bundledConfigPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config.example.toml');

/** `--config FILE`, else ./config.toml when present, else the bundled example. */
export function defaultConfigPath(explicit: string | undefined): string {
  if (explicit !== undefined) return resolve(explicit);
  const local = resolve('config.toml');
  return existsSync(local) ? local : bundledConfigPath;
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${path === '' ? '' : `${path}.`}${key}: unknown key`);
  }
  return [`${path === '' ? '(top level)' : path}: ${issue.message}`];
}

/** Parses and validates a TOML document; every problem is reported at once. */
export function parseConfig(text: string, source: string): LoadedConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    throw new ConfigError([`${source}: not valid TOML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const result = configSchema.safeParse(raw);
  const problems = result.success ? [] : result.error.issues.flatMap(formatIssue);
  const resolved = secretKeys.map((key) => {
    const section = sectionOf(raw, key.section);
    const inline = section[key.name];
    const file = section[`${key.name}_file`];
    if ((inline !== undefined && typeof inline !== 'string') || (file !== undefined && typeof file !== 'string')) return { key };
    return { key, ...resolveSecret(key.section, key.name, inline, file, key.required(section)) };
  });
  problems.push(...resolved.flatMap((r) => (r.problem === undefined ? [] : [r.problem])));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);

  const config: Config = { ...result.data, source };
  for (const { key, value } of resolved) {
    const section = config[key.section] as Record<string, unknown>;
    delete section[`${key.name}_file`];
    if (value !== undefined) section[key.name] = value;
  }
  return { config, warnings: collectWarnings(config) };
}

function sectionOf(raw: unknown, name: string): Record<string, unknown> {
  const section = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined;
  return typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : {};
}

export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  return parseConfig(text, path);
}

function collectWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.xmpp.enabled && config.xmpp.secret === 'change-me') {
    warnings.push('xmpp.secret is the example value "change-me": set a long random secret in your config and in the XMPP server');
  }
  for (const cidr of config.api.allow_unauthenticated_from) {
    if (cidr.endsWith('/0')) warnings.push(`api.allow_unauthenticated_from contains ${cidr}: anyone who reaches the port may call the API without a token`);
  }
  const listen = parseListen(config.http.listen);
  if (listen && !['127.0.0.1', '::1', 'localhost'].includes(listen.host) && config.http.trusted_proxies.length === 0) {
    warnings.push(`http.listen is ${config.http.listen}, reachable from other hosts: put a TLS-terminating proxy in front and list it in http.trusted_proxies`);
  }
  return warnings;
}
