import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { hashSessionId, type SessionRecord, type SessionRepository } from '../store/sessions.js';
import { readCookie, sessionCookie, sessionCookieName, type CookieSettings } from './cookie.js';

export interface SessionSettings extends CookieSettings {
  /** Seconds without a request after which a session ends. */
  inactivity: number;
  /** Seconds after creation at which a session ends. */
  expiration: number;
}

/** A login session as methods and web applications see it. */
export interface Session {
  user: string;
  /** The method that logged the user in (`gpgauth`, `kerberos`, …). */
  method: string;
  /** Method-specific JSON (e.g. a delegated credential cache path). */
  data: unknown;
  createdAt: number;
  lastSeen: number;
  /** When the session ends unless used again (the earlier of inactivity and absolute expiry). */
  expiresAt: number;
}

export type SessionEndReason = 'logout' | 'expired' | 'replaced';

/** Called once for every session that ends, so methods can clean up what they keep beside it. */
export type SessionEndHook = (session: Session, reason: SessionEndReason) => void | Promise<void>;

/** What a request offers: its headers in, Set-Cookie out (a Koa context fits). */
export interface CookieCarrier {
  get(field: string): string;
  append(field: string, value: string): void;
}

export interface NewSession {
  user: string;
  method: string;
  data?: unknown;
}

const toSession = (r: SessionRecord): Session => ({
  user: r.user,
  method: r.method,
  data: r.data,
  createdAt: r.createdAt,
  lastSeen: r.lastSeen,
  expiresAt: Math.min(r.expiresAt, r.lastSeen + r.inactivityMs),
});

/**
 * The shared login-session mechanism: an opaque random id in an HttpOnly,
 * SameSite=Lax cookie; SQLite keeps only its SHA-256 with inactivity and absolute expiry.
 */
export class SessionManager {
  readonly #repo: SessionRepository;
  readonly #clock: Clock;
  readonly #settings: SessionSettings;
  readonly #logger: Logger;
  readonly #hooks: SessionEndHook[] = [];

  constructor(repo: SessionRepository, clock: Clock, settings: SessionSettings, logger: Logger) {
    this.#repo = repo;
    this.#clock = clock;
    this.#settings = settings;
    this.#logger = logger;
  }

  get cookieName(): string {
    return sessionCookieName(this.#settings);
  }

  onEnd(hook: SessionEndHook): void {
    this.#hooks.push(hook);
  }

  /** Creates a session and returns its id (the only copy; put it in a cookie). */
  create(input: NewSession): { id: string; session: Session } {
    const now = this.#clock.now();
    const id = randomBytes(32).toString('base64url');
    const record: SessionRecord = {
      idHash: hashSessionId(id),
      user: input.user,
      method: input.method,
      data: input.data ?? {},
      createdAt: now,
      lastSeen: now,
      inactivityMs: this.#settings.inactivity * 1000,
      expiresAt: now + this.#settings.expiration * 1000,
    };
    this.#repo.insert(record);
    return { id, session: toSession(record) };
  }

  /**
   * Logs the request in: ends the session its cookie names (the id is rotated, never
   * reused across a login) and sets the cookie of a new one.
   */
  issue(carrier: CookieCarrier, input: NewSession): Session {
    const previous = this.#idFrom(carrier);
    if (previous !== undefined) this.#end(hashSessionId(previous), 'replaced');
    const { id, session } = this.create(input);
    carrier.append('Set-Cookie', sessionCookie(this.#settings, id, this.#settings.expiration));
    return session;
  }

  /** The live session an id names, refreshing its inactivity timer; an expired one is ended. */
  lookup(id: string): Session | undefined {
    const idHash = hashSessionId(id);
    const record = this.#repo.find(idHash);
    if (!record) return undefined;
    const now = this.#clock.now();
    if (now >= record.expiresAt || now >= record.lastSeen + record.inactivityMs) {
      this.#end(idHash, 'expired');
      return undefined;
    }
    this.#repo.touch(idHash, now);
    return toSession({ ...record, lastSeen: now });
  }

  /** The session of the request's cookie, if live. */
  current(carrier: CookieCarrier): Session | undefined {
    const id = this.#idFrom(carrier);
    return id === undefined ? undefined : this.lookup(id);
  }

  /** Ends the request's session and clears its cookie; false when there was none. */
  logout(carrier: CookieCarrier): boolean {
    const id = this.#idFrom(carrier);
    carrier.append('Set-Cookie', sessionCookie(this.#settings, '', 0));
    return id !== undefined && this.#end(hashSessionId(id), 'logout');
  }

  /** Ends every expired session (the purge schedule calls this). */
  purge(now: number): number {
    const ended = this.#repo.takeExpired(now);
    for (const record of ended) this.#announce(toSession(record), 'expired');
    return ended.length;
  }

  #idFrom(carrier: CookieCarrier): string | undefined {
    const id = readCookie(carrier.get('Cookie'), this.cookieName);
    return id !== undefined && /^[A-Za-z0-9_-]{43}$/.test(id) ? id : undefined;
  }

  #end(idHash: Buffer, reason: SessionEndReason): boolean {
    const record = this.#repo.delete(idHash);
    if (record) this.#announce(toSession(record), reason);
    return record !== undefined;
  }

  #announce(session: Session, reason: SessionEndReason): void {
    this.#logger.info('session.ended', { user: session.user, method: session.method, reason });
    for (const hook of this.#hooks) {
      // A hook's failure must not keep a session alive nor break the request.
      Promise.resolve()
        .then(() => hook(session, reason))
        .catch((err: unknown) => this.#logger.error('session.end_hook_failed', { method: session.method, err: String(err) }));
    }
  }
}
