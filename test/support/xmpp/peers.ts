import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProsodyServer } from '../prosody.js';

export type PeerMode = 'accept' | 'deny' | 'silent' | 'no-0070' | 'typer' | 'wrong' | 'refuse';

export interface PeerSpec {
  /** Full JID, e.g. `alice@localhost/phone`. */
  jid: string;
  password: string;
  mode: PeerMode;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface PeerEvent {
  event: 'ready' | 'confirm' | 'answered' | 'forged' | 'failed_auth' | 'disco' | 'subscribed';
  jid: string;
  via?: 'iq' | 'message' | 'body';
  id?: string;
  answer?: string;
  identities?: string[][];
  features?: string[];
  by?: string;
}

export interface Peers {
  events: PeerEvent[];
  /** Resolves with the first event (already seen or future) matching `predicate`. */
  waitFor(predicate: (event: PeerEvent) => boolean, timeoutMs?: number): Promise<PeerEvent>;
  /** `from` sends a confirm message and the typed code for `transactionId` to the component. */
  forge(from: string, transactionId: string): void;
  /** Sends a command line to the peers process (see peers.py). */
  command(line: string): void;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./peers.py', import.meta.url));

/** Starts slixmpp users (one Python process for all of them) and waits until each is online. */
export async function startPeers(server: ProsodyServer, specs: PeerSpec[]): Promise<Peers> {
  const spec = JSON.stringify(specs.map((s) => ({ jid: s.jid, password: s.password, mode: s.mode, delay_ms: s.delayMs ?? 0 })));
  const child: ChildProcess = spawn('/usr/bin/python3', [script, '127.0.0.1', String(server.c2sPort), spec, server.component], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: PeerEvent[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as PeerEvent);
    } catch {
      return;
    }
    for (const notify of listeners) notify();
  });

  const waitFor = (predicate: (event: PeerEvent) => boolean, timeoutMs = 15_000) =>
    new Promise<PeerEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(predicate);
        if (!found) return false;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`peer event not seen within ${timeoutMs} ms; events: ${JSON.stringify(events)}; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      if (!check()) listeners.add(check);
    });

  const peers: Peers = {
    events,
    waitFor,
    forge(from, transactionId) {
      child.stdin?.write(`forge ${from} ${transactionId}\n`);
    },
    command(line) {
      child.stdin?.write(`${line}\n`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await Promise.all(specs.map((s) => waitFor((e) => e.event === 'ready' && e.jid === s.jid, 20_000)));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return peers;
}
