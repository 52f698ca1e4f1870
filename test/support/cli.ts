import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

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
export function spawnServe(configPath: string): ServeProcess {
  const child = spawn(process.execPath, [main, 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { child, output: () => output, url, exit };
}
