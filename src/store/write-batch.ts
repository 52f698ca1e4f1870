import type { Db } from './database.js';

/** Writes queued by `defer` are committed together after at most this long... */
const BATCH_MS = 20;
/** ...or as soon as this many are waiting. */
const BATCH_WRITES = 256;

/**
 * Writes that nobody reads back at once (audit rows, the outcome of an /auth call)
 * share one SQLite commit: on a busy endpoint the commit, not the insert, is most
 * of the cost. Anything that must take effect at once (a failure counting towards a
 * ban, a one-time claim, a long-poll's decision) is written directly, never here.
 * Readers of batched tables call `flush` first; `Store.close` flushes too.
 */
export class WriteBatch {
  readonly #db: Db;
  readonly #onError: (err: unknown, writes: number) => void;
  #pending: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  /** `onError` hears of a write that failed, or of a commit that failed with `writes` in it; the process goes on. */
  constructor(db: Db, onError: (err: unknown, writes: number) => void) {
    this.#db = db;
    this.#onError = onError;
  }

  defer(write: () => void): void {
    this.#pending.push(write);
    if (this.#pending.length >= BATCH_WRITES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), BATCH_MS).unref();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const writes = this.#pending;
    this.#pending = [];
    if (writes.length === 0 || !this.#db.open) return;
    try {
      this.#db.transaction(() => {
        for (const write of writes) {
          // SQLite undoes a failed statement alone: the others still commit.
          try {
            write();
          } catch (err) {
            this.#onError(err, 1);
          }
        }
      })();
    } catch (err) {
      this.#onError(err, writes.length);
    }
  }
}
