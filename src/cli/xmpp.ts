import { parseListen } from '../config/schema.js';
import { configOption, loadConfigFrom, parse, UsageError, type CommandGroup } from './command.js';

interface RequestView {
  id: string;
  status: string;
  code: string;
  error?: string;
  error_description?: string;
}

function daemonUrl(listen: string): string {
  const parsed = parseListen(listen);
  if (!parsed) throw new UsageError(`http.listen is invalid: ${listen}`);
  const host = parsed.host === '0.0.0.0' ? '127.0.0.1' : parsed.host === '::' ? '::1' : parsed.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${parsed.port}`;
}

export const xmppCommand: CommandGroup = {
  name: 'xmpp',
  summary: 'send one XEP-0070 request through the running daemon',
  usage: `authbridge xmpp test JID [--timeout SECONDS] [--domain DOMAIN] [--url URL] [--token TOKEN] [--config FILE]

  Asks the daemon (at http.listen, or --url) to send one confirmation request to
  JID, waits for the answer and prints the outcome and the time it took. Exit code
  0 when approved, 1 otherwise.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...configOption,
      timeout: { type: 'string' },
      domain: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
    });
    const [verb, jid, ...rest] = positionals;
    if (verb !== 'test' || !jid || rest.length > 0) throw new UsageError('expected: xmpp test JID');
    const { config } = loadConfigFrom(values.config);
    const base = values.url ?? daemonUrl(config.http.listen);
    const timeout = Number(values.timeout ?? config.xmpp.default_timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive whole number of seconds');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (values.token) headers['authorization'] = `Bearer ${values.token}`;

    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(`${base}/v1/xmpp/requests`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jid, domain: values.domain ?? 'authbridge xmpp test', method: 'GET', timeout }),
      });
    } catch (err) {
      console.error(`error: cannot reach the daemon at ${base} (${(err as Error).cause ?? (err as Error).message}); is "authbridge serve" running?`);
      return 1;
    }
    let view = (await response.json()) as RequestView;
    if (response.status !== 202) {
      console.error(`error: ${response.status} ${view.error ?? ''}: ${view.error_description ?? ''}`);
      return 1;
    }
    console.log(`sent request ${view.id} to ${jid}; validation code ${view.code}; waiting up to ${timeout} s…`);
    while (view.status === 'pending') {
      const poll = await fetch(`${base}/v1/xmpp/requests/${view.id}?wait=${timeout + 1}`, { headers });
      view = (await poll.json()) as RequestView;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(`${view.status} after ${seconds} s`);
    return view.status === 'approved' ? 0 : 1;
  },
};
