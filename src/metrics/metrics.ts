import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of spec/ops.md §5 (OPS-13). They are served on their own
 * listener (`[metrics] listen`, loopback by default), never on the public HTTP port.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'authbridge_http_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'authbridge_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route (long-polls and /auth include the wait for the person)',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 300],
    registers: [this.registry],
  });
  readonly #attempts = new Counter({
    name: 'authbridge_auth_attempts_total',
    help: 'Authentication attempts recorded in the audit log, by method and result',
    labelNames: ['method', 'result'] as const,
    registers: [this.registry],
  });
  readonly #bans = new Counter({
    name: 'authbridge_regulation_bans_total',
    help: 'Keys (accounts or addresses) banned after too many failed credentials',
    registers: [this.registry],
  });
  readonly #xmppLinkUp = new Gauge({
    name: 'authbridge_xmpp_link_up',
    help: '1 while the XEP-0114 component link is online, else 0 (also when XMPP is disabled)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'authbridge_' });
  }

  /** `route` is the route pattern (never the raw path, which would not be bounded). */
  observeRequest(route: string | null, status: number, seconds: number): void {
    const name = route ?? 'unmatched';
    this.#requests.inc({ route: name, code: String(status) });
    this.#duration.observe({ route: name }, seconds);
  }

  countAttempt(method: string, result: string): void {
    this.#attempts.inc({ method, result });
  }

  countBan(): void {
    this.#bans.inc();
  }

  setXmppLinkUp(up: boolean): void {
    this.#xmppLinkUp.set(up ? 1 : 0);
  }
}

/** A server answering `GET /metrics` from `metrics`; anything else is 404. */
export function createMetricsServer(metrics: Metrics): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
}
