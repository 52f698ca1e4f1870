import { EventEmitter } from 'node:events';
import { component, type Component, type Element, type StreamError } from '@xmpp/component';
import type { Logger } from '../log.js';
import { backoffDelay } from './backoff.js';

/**
 * The XEP-0114 component connection as an explicit state machine:
 *
 *   connecting ──online──▶ online ──stream ends──▶ disconnected ──back-off──▶ connecting
 *        │                                                                        
 *        └── not-authorized / host-unknown / unknown host ──▶ stopped (fatal, 'fatal' event)
 *   stop() from any state ──▶ stopped
 *
 * @xmpp/reconnect's fixed 1 s retry is replaced by our own capped, jittered back-off,
 * and configuration errors end the loop instead of retrying forever (xmpp.js#588).
 */
export type LinkState = 'connecting' | 'online' | 'disconnected' | 'stopped';

export interface LinkOptions {
  service: string;
  domain: string;
  secret: string;
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

export interface LinkEvents {
  state: [LinkState];
  stanza: [Element];
  /** A configuration error: the link has stopped for good. */
  fatal: [Error];
}

// Stream errors that retrying cannot fix (spec/xmpp.md §6.2, XMPP-18).
const FATAL_STREAM_ERRORS = new Set(['not-authorized', 'host-unknown', 'improper-addressing']);

/**
 * Why `err` is a configuration error that retrying cannot fix, or undefined. A name
 * that does not resolve counts only before the link was ever online: later it is
 * more likely a passing resolver outage, and the daemon must keep retrying.
 */
export function describeFatal(err: Error, everOnline = false): string | undefined {
  const condition = (err as Partial<StreamError>).condition;
  if (condition === 'not-authorized') return 'the XMPP server refused the component secret (stream error not-authorized): xmpp.secret must equal component_secret in the server config';
  if (condition === 'host-unknown') return 'the XMPP server does not know the component domain (stream error host-unknown): declare xmpp.domain as a Component in the server config';
  if (condition !== undefined && FATAL_STREAM_ERRORS.has(condition)) return `the XMPP server refused the component (stream error ${condition})`;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' && !everOnline) return `cannot resolve the host of xmpp.service (${code})`;
  return undefined;
}

export class ComponentLink extends EventEmitter<LinkEvents> {
  readonly domain: string;
  readonly #entity: Component;
  readonly #logger: Logger;
  readonly #service: string;
  readonly #baseMs: number;
  readonly #capMs: number;
  #state: LinkState = 'disconnected';
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #connecting = false;
  #started = false;
  #everOnline = false;

  constructor(options: LinkOptions, logger: Logger) {
    super();
    this.domain = options.domain;
    this.#service = options.service;
    this.#logger = logger;
    this.#baseMs = options.backoffBaseMs ?? 500;
    this.#capMs = options.backoffCapMs ?? 30_000;
    this.#entity = component({ service: options.service, domain: options.domain, password: options.secret });
    this.#entity.reconnect.stop();
    guardIncomingMiddleware(this.#entity, logger);
    this.#entity.on('error', (err: Error) => this.#onError(err));
    this.#entity.on('online', () => this.#onOnline());
    this.#entity.on('disconnect', () => this.#onDisconnect());
    this.#entity.on('stanza', (stanza: Element) => this.emit('stanza', stanza));
  }

  get state(): LinkState {
    return this.#state;
  }

  get entity(): Component {
    return this.#entity;
  }

  /** Starts connecting; never rejects: progress is reported through 'state' and 'fatal'. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#connect();
  }

  async send(stanza: Element): Promise<void> {
    if (this.#state !== 'online') throw new Error(`XMPP link is ${this.#state}`);
    await this.#entity.send(stanza);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#state === 'stopped') return;
    this.#setState('stopped');
    try {
      await this.#entity.stop();
    } catch (err) {
      this.#logger.debug('xmpp stop', { err: String(err) });
    }
  }

  /** Resolves when the link is online, or rejects after `timeoutMs`. */
  waitOnline(timeoutMs: number): Promise<void> {
    if (this.#state === 'online') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', listener);
        reject(new Error(`XMPP link not online after ${timeoutMs} ms (state ${this.#state})`));
      }, timeoutMs);
      const listener = (state: LinkState) => {
        if (state !== 'online') return;
        clearTimeout(timer);
        this.off('state', listener);
        resolve();
      };
      this.on('state', listener);
    });
  }

  async #connect(): Promise<void> {
    this.#timer = undefined;
    if (this.#state === 'stopped' || this.#connecting) return;
    this.#connecting = true;
    this.#setState('connecting');
    try {
      if (this.#entity.status === 'offline') await this.#entity.start();
      else await this.#entity.reconnect.reconnect();
    } catch {
      // Already reported through the entity's 'error' event.
    } finally {
      this.#connecting = false;
    }
    if (this.#state === 'connecting') this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#state === 'stopped' || this.#timer !== undefined) return;
    const delay = backoffDelay(this.#attempt++, this.#baseMs, this.#capMs);
    this.#setState('disconnected');
    this.#logger.debug('xmpp.reconnect', { inMs: delay, attempt: this.#attempt });
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  #onOnline(): void {
    this.#attempt = 0;
    this.#everOnline = true;
    this.#setState('online');
  }

  #onDisconnect(): void {
    if (this.#state === 'online') {
      this.#logger.warn('xmpp.disconnected', { domain: this.domain });
      this.#setState('disconnected');
    }
    if (!this.#connecting) this.#scheduleReconnect();
  }

  #onError(err: Error): void {
    const fatal = describeFatal(err, this.#everOnline);
    if (fatal !== undefined && this.#state !== 'stopped') {
      this.#logger.error('xmpp.fatal', { reason: fatal });
      void this.stop();
      this.emit('fatal', new Error(fatal, { cause: err }));
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? (err as Partial<StreamError>).condition ?? err.name;
    // One warning per outage; the retries that follow are logged at debug level.
    const level = this.#attempt === 0 ? 'warn' : 'debug';
    this.#logger.log(level, 'xmpp.error', { code, detail: err.message, service: this.#service });
  }

  #setState(state: LinkState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }
}

/**
 * @xmpp/middleware parses every incoming `from` with `new JID()`, which throws
 * synchronously inside the XML parser on an empty domain (spec/xmpp.md §9.5) and
 * would kill the process. Wrap its listener so such a stanza is dropped and logged.
 */
function guardIncomingMiddleware(entity: Component, logger: Logger): void {
  for (const listener of entity.listeners('element')) {
    entity.off('element', listener as (...args: unknown[]) => void);
    entity.on('element', (element: Element) => {
      try {
        (listener as (el: Element) => unknown)(element);
      } catch (err) {
        logger.warn('xmpp.stanza_dropped', { reason: String(err), from: element.attrs['from'] });
      }
    });
  }
}
