import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { Store } from '../../../src/store/store.js';

describe('deferred writes (Store.writeSoon)', () => {
  it('commit together on flush; a failing write is reported, not thrown, and costs only itself', () => {
    const failures: Array<[string, number]> = [];
    const store = new Store(':memory:', new ManualClock(1_000), { onWriteError: (err, writes) => failures.push([String(err), writes]) });
    store.audit.recordSoon({ method: 'xmpp', subject: 'a', result: 'approved' });
    store.writeSoon(() => {
      throw new Error('disk I/O error');
    });
    expect(() => store.audit.recent()).not.toThrow();
    expect(failures).toEqual([['Error: disk I/O error', 1]]);
    store.audit.recordSoon({ method: 'xmpp', subject: 'b', result: 'approved' });
    expect(store.audit.recent().map((r) => r.subject)).toEqual(['b', 'a']);
    store.close();
  });
});
