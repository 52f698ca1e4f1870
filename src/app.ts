import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/load.js';
import { parseListen } from './config/schema.js';
import { createHttpApp, named, type RouteMount } from './http/app.js';
import { answerClientError } from './http/client-error.js';
import type { ReadinessCheck } from './http/readiness.js';
import type { Logger } from './log.js';
import { createJwtModule, type JwtModule } from './methods/jwt/module.js';
import { createKerberosModule } from './methods/kerberos/module.js';
import type { MethodContext, MethodModule } from './methods/module.js';
import { createSkaModule } from './methods/ska/module.js';
import { createGpgAuthModule, type GpgAuthModule } from './methods/gpgauth/module.js';
import { createXmppApprovalModule, type XmppApprovalModule } from './methods/xmpp-approval/module.js';
import { forwardAuth } from './http/routes/forward-auth.js';
import { getSession, logoutSession } from './http/routes/session.js';
import { createMetricsServer, Metrics } from './metrics/metrics.js';
import { Regulation } from './regulation/regulation.js';
import { SessionManager } from './session/manager.js';
import { Store } from './store/store.js';
import { version } from './version.js';

export interface DaemonOptions {
  clock?: Clock;
  /** Called once when the daemon cannot go on (e.g. the XMPP server refused our secret). */
  onFatal?: (err: Error) => void;
}

/**
 * The composition root: config → store → methods → HTTP + XMPP. Everything that is
 * started here is stopped by `stop()`, in reverse order.
 */
export class Daemon {
  readonly config: Config;
  readonly store: Store;
  readonly xmpp: XmppApprovalModule;
  readonly jwt: JwtModule;
  readonly sessions: SessionManager;
  readonly gpgauth: GpgAuthModule;
  readonly #methods: MethodModule[];
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #server: Server;
  readonly #metrics: Metrics | undefined;
  #metricsServer: Server | undefined;
  #purgeTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<boolean> | undefined;

  constructor(config: Config, logger: Logger, options: DaemonOptions = {}) {
    this.config = config;
    this.#logger = logger;
    this.#clock = options.clock ?? systemClock;
    this.store = new Store(config.store.path, this.#clock, {
      retentionDays: config.store.retention_days,
      onWriteError: (err, writes) => logger.error('store.write_failed', { writes, err: String(err) }),
    });
    const interrupted = this.store.xmppRequests.interruptPending();
    if (interrupted > 0) logger.warn('xmpp.requests_interrupted', { count: interrupted, reason: 'pending when the previous process stopped' });
    const metrics = config.metrics.enabled ? new Metrics() : undefined;
    this.#metrics = metrics;
    if (metrics) this.store.audit.observe((event) => metrics.countAttempt(event.method, event.result));
    const regulation = new Regulation(this.store.db, this.#clock, config.regulation, metrics && (() => metrics.countBan()));
    this.store.addPurgeable(regulation);
    const sessions = new SessionManager(this.store.sessions, this.#clock, config.session, logger);
    this.sessions = sessions;
    this.store.addPurgeable(sessions);

    const ctx: MethodContext = { config, store: this.store, clock: this.#clock, logger, regulation, sessions };
    this.xmpp = createXmppApprovalModule(ctx, (err) => options.onFatal?.(err));
    this.jwt = createJwtModule(ctx);
    this.gpgauth = createGpgAuthModule(ctx);
    const kerberos = createKerberosModule(ctx);
    this.#methods = [this.xmpp, createSkaModule(ctx), this.jwt, this.gpgauth, ...(kerberos ? [kerberos] : [])];

    const readiness: ReadinessCheck[] = [
      { name: 'shutdown', check: () => ({ up: this.#stopping === undefined, ...(this.#stopping ? { detail: 'shutting down' } : {}) }) },
      { name: 'store', check: () => ({ up: this.store.ping() }) },
      ...this.#methods.flatMap((m) => m.readiness ?? []),
    ];
    const sessionRoutes: RouteMount = (router, caller) => {
      router.get('/v1/session', named('/v1/session'), caller, getSession(sessions));
      router.post('/v1/session/logout', named('/v1/session/logout'), caller, logoutSession(sessions));
      const forward = { sessions, users: this.store.users, loginUrl: config.forward_auth.login_url, trustedProxies: config.http.trusted_proxies };
      router.get('/auth/forward', named('/auth/forward'), forwardAuth('traefik', forward));
      router.get('/auth/request', named('/auth/request'), forwardAuth('nginx', forward));
    };
    const routes = [sessionRoutes, ...this.#methods.flatMap((m) => m.routes ?? [])];
    const app = createHttpApp({ config, logger, store: this.store, readiness, metrics }, routes);
    if (metrics) this.xmpp.link?.on('state', (state) => metrics.setXmppLinkUp(state === 'online'));
    this.#server = createServer(app.callback());
    this.#server.on('clientError', answerClientError);
    // Long-polls and /auth may legitimately wait up to max_timeout.
    this.#server.requestTimeout = (config.xmpp.max_timeout + 30) * 1000;
  }

  /** Where `/metrics` is served, once started with `[metrics] enabled`. */
  get metricsAddress(): AddressInfo | undefined {
    return (this.#metricsServer?.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Prepares the methods (key files: before any port is bound, OPS-8), binds the HTTP
   * port and the metrics listener, starts the methods; resolves with the HTTP address.
   * A failure on the way stops what was started and rejects.
   */
  async start(): Promise<AddressInfo> {
    try {
      for (const method of this.#methods) await method.prepare?.();
      const address = await listen(this.#server, this.config.http.listen);
      this.#logger.info('http.listening', { address: address.address, port: address.port, version });
      if (this.#metrics) {
        this.#metricsServer = createMetricsServer(this.#metrics);
        const at = await listen(this.#metricsServer, this.config.metrics.listen);
        this.#logger.info('metrics.listening', { address: at.address, port: at.port });
      }
      for (const method of this.#methods) await method.start?.();
      this.#purgeTimer = setInterval(() => this.#purge(), this.config.store.purge_interval * 1000).unref();
      return address;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Graceful stop: refuse new work, let methods answer what waits, drain HTTP, close
   * SQLite. Resolves false when requests in flight had to be cut at http.shutdown_timeout.
   */
  stop(): Promise<boolean> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<boolean> {
    this.#logger.info('daemon.stopping');
    clearInterval(this.#purgeTimer);
    this.#metricsServer?.close();
    this.#metricsServer?.closeAllConnections();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // A keep-alive connection whose request finishes during the drain would otherwise
    // stay open until keepAliveTimeout: close each one as soon as it is idle.
    const closeIdle = setInterval(() => this.#server.closeIdleConnections(), 50);
    this.#server.closeIdleConnections();
    for (const method of [...this.#methods].reverse()) {
      try {
        await method.stop?.();
      } catch (err) {
        this.#logger.error('method.stop_failed', { method: method.name, err: String(err) });
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.http.shutdown_timeout * 1000)));
    const drained = (await Promise.race([closed, timedOut])) !== 'timeout';
    if (!drained) {
      this.#logger.warn('http.drain_timeout', { seconds: this.config.http.shutdown_timeout });
      this.#server.closeAllConnections();
    }
    clearTimeout(timer);
    clearInterval(closeIdle);
    this.store.close();
    this.#logger.info('daemon.stopped', { drained });
    return drained;
  }

  #purge(): void {
    try {
      const removed = this.store.purge(this.#clock.now());
      if (removed > 0) this.#logger.info('store.purged', { rows: removed });
    } catch (err) {
      this.#logger.error('store.purge_failed', { err: String(err) });
    }
  }
}

/** Binds `server` to a validated `host:port` (the schema checked it). */
async function listen(server: Server, hostPort: string): Promise<AddressInfo> {
  const at = parseListen(hostPort);
  if (!at) throw new Error(`not a listen address: ${hostPort}`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
