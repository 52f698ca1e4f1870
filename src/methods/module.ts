import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { RouteMount } from '../http/app.js';
import type { ReadinessCheck } from '../http/readiness.js';
import type { Logger } from '../log.js';
import type { Regulation } from '../regulation/regulation.js';
import type { SessionManager } from '../session/manager.js';
import type { Store } from '../store/store.js';

/** What every method is built from (the composition root hands it over). */
export interface MethodContext {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  regulation: Regulation;
  /** Shared login sessions: `sessions.issue(ctx, …)` logs a browser in; `onEnd` cleans up. */
  sessions: SessionManager;
}

/**
 * One authentication method as the daemon sees it: its routes, its line in
 * /readyz, and what it must start and stop. A method whose server is absent logs
 * one clear warning and reports itself not ready; the others keep serving.
 */
export interface MethodModule {
  name: string;
  routes?: RouteMount;
  readiness?: ReadinessCheck;
  /** Before the HTTP port is bound: read and unlock what the config names; a ConfigError stops the start-up. */
  prepare?(): Promise<void>;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
