import { execFile } from 'node:child_process';

export interface CurlResult {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** The `Authorization: Negotiate` token curl sent, if it sent one (from --verbose). */
  sentToken: string | undefined;
}

/**
 * Runs the real curl (asynchronously: the daemon under test runs in this process).
 * Only the last response's status and headers are kept.
 */
export function curl(args: string[], env: NodeJS.ProcessEnv): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['--silent', '--verbose', '--ipv4', '--include', ...args], { env }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl failed: ${err.message}\n${stderr}`));
      const responses = stdout.split(/\r?\n\r?\n(?=HTTP\/)/);
      const last = responses[responses.length - 1] ?? '';
      const [head = '', ...rest] = last.split(/\r?\n\r?\n/);
      const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
      const headers = new Map<string, string>();
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const sentToken = /^> Authorization: Negotiate (\S+)/m.exec(stderr)?.[1];
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\n\n'), sentToken });
    });
  });
}
