import { parseArgs, type ParseArgsConfig } from 'node:util';
import { defaultConfigPath, loadConfig, type LoadedConfig } from '../config/load.js';
import { systemClock } from '../clock.js';
import { Store } from '../store/store.js';

/** A top-level word of the CLI (`serve`, `user`, `client`, …), one file each under src/cli. */
export interface CommandGroup {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export const configOption = { config: { type: 'string', short: 'c' } } as const satisfies ParseArgsConfig['options'];

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function loadConfigFrom(path: string | undefined): LoadedConfig {
  return loadConfig(defaultConfigPath(path));
}

/** Opens the configured store (applying migrations), runs `fn`, closes it. */
export async function withStore<R>(configPath: string | undefined, fn: (store: Store) => R | Promise<R>): Promise<R> {
  const { config } = loadConfigFrom(configPath);
  const store = new Store(config.store.path, systemClock, { retentionDays: config.store.retention_days });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** Prints rows as aligned columns under a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

export const isoOrDash = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
