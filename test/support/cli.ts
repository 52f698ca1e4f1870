import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file also runs compiled, from dist-bench/, for the benchmarks). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

const main = join(projectRoot(), 'dist', 'main.js');

/** Runs the built `authbridge` CLI to completion. */
export function runCli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', input, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServeProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the bound HTTP URL once the daemon logged it. */
  url: Promise<string>;
  exit: Promise<number | null>;
}

/** Starts `authbridge serve --config FILE` as a real process (JSON logs on stdout). */
export function spawnServe(configPath: string, nodeArgs: string[] = []): ServeProcess {
  const child = spawn(process.execPath, [...nodeArgs, main, 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let resolveUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const port = /"message":"http.listening".*?"port":(\d+)/.exec(output)?.[1] ?? /"port":(\d+)[^\n]*"message":"http.listening"/.exec(output)?.[1];
    if (port) resolveUrl(`http://127.0.0.1:${port}`);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const urlOrExit = Promise.race([url, exit.then((code) => Promise.reject(new Error(`authbridge serve exited (${code}) before listening:\n${output}`)))]);
  return { child, output: () => output, url: urlOrExit, exit };
}
