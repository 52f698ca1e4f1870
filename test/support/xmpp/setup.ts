import { startTestDaemon, type TestDaemon } from '../daemon.js';
import type { DaemonOptions } from '../../../src/app.js';
import type { ProsodyServer } from '../prosody.js';

/** The `[xmpp]` section pointing a test daemon at a test Prosody. */
export function xmppSection(prosody: ProsodyServer, extra = ''): string {
  return `[xmpp]\nservice = "${prosody.service}"\ndomain = "${prosody.component}"\nsecret = "${prosody.secret}"\n${extra}\n`;
}

/** A daemon connected to `prosody`, resolved once its component link is online. */
export async function startLinkedDaemon(prosody: ProsodyServer, toml = '', options: DaemonOptions = {}): Promise<TestDaemon> {
  const t = await startTestDaemon(`${xmppSection(prosody)}${toml}`, options);
  await t.daemon.xmpp.link?.waitOnline(10_000);
  return t;
}

/** GET /auth with the original parameters; resolves with the status and the seconds it took. */
export async function auth(url: string, params: Record<string, string>): Promise<{ status: number; seconds: number; body: string }> {
  const started = performance.now();
  const res = await fetch(`${url}/auth?${new URLSearchParams(params)}`);
  const body = await res.text();
  return { status: res.status, seconds: (performance.now() - started) / 1000, body };
}
