import type { AuditEvent } from '../../store/audit.js';
import type { Store } from '../../store/store.js';

/**
 * Bookkeeping after a verification (audit rows, the regulation reset of a
 * success) written in one transaction per event-loop turn: every request handled
 * in a turn shares one SQLite commit, which was most of a verification's cost.
 * Work waits at most until the end of the current turn (setImmediate); anything
 * that must take effect at once (a failure counting towards a ban, the one-time
 * claim) is written directly, never here.
 */
export class AuditBatch {
  readonly #store: Store;
  #pending: Array<() => void> = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  record(event: AuditEvent): void {
    this.defer(() => this.#store.audit.record(event));
  }

  defer(write: () => void): void {
    this.#pending.push(write);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const writes = this.#pending;
    this.#pending = [];
    if (writes.length === 0 || !this.#store.db.open) return;
    this.#store.transaction(() => {
      for (const write of writes) write();
    });
  }
}
