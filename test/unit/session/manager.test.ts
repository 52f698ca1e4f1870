import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { readCookie } from '../../../src/session/cookie.js';
import { SessionManager, type Session, type SessionEndReason } from '../../../src/session/manager.js';
import { hashSessionId } from '../../../src/store/sessions.js';
import { Store } from '../../../src/store/store.js';

/** A request/response pair as the manager sees it. */
class Exchange {
  readonly setCookies: string[] = [];
  constructor(readonly cookie = '') {}
  get(field: string): string {
    return field.toLowerCase() === 'cookie' ? this.cookie : '';
  }
  append(field: string, value: string): void {
    if (field === 'Set-Cookie') this.setCookies.push(value);
  }
}

const settings = { inactivity: 600, expiration: 3600, secure: true, cookie_name: 'sid' };

describe('SessionManager', () => {
  let store: Store;
  let clock: ManualClock;
  let sessions: SessionManager;
  let ended: Array<{ session: Session; reason: SessionEndReason }>;

  beforeEach(() => {
    clock = new ManualClock();
    store = new Store(':memory:', clock);
    sessions = new SessionManager(store.sessions, clock, settings, silentLogger());
    ended = [];
    sessions.onEnd((session, reason) => void ended.push({ session, reason }));
  });
  afterEach(() => store.close());

  const login = (cookie = '') => {
    const ex = new Exchange(cookie);
    sessions.issue(ex, { user: 'alice', method: 'gpgauth', data: { ccache: '/tmp/x' } });
    const set = ex.setCookies[0] ?? '';
    const id = readCookie(set.split(';')[0], '__Host-sid') ?? '';
    return { set, id, cookie: `__Host-sid=${id}` };
  };
  const settle = () => new Promise((r) => setImmediate(r));

  it('sets an HttpOnly, SameSite=Lax, Secure __Host- cookie holding a random id', () => {
    const { set, id } = login();
    expect(set).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure$/);
    expect(login().id).not.toBe(id);
  });

  it('drops Secure and the prefix when secure = false', () => {
    const plain = new SessionManager(store.sessions, clock, { ...settings, secure: false }, silentLogger());
    const ex = new Exchange();
    plain.issue(ex, { user: 'bob', method: 'kerberos' });
    expect(ex.setCookies[0]).toMatch(/^sid=[^;]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/);
  });

  it('stores only a hash of the id, with user, method and data', () => {
    const { id } = login();
    const rows = store.db.prepare('SELECT * FROM sessions').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(rows[0]).toMatchObject({ user: 'alice', method: 'gpgauth', id_hash: hashSessionId(id) });
    expect(sessions.lookup(id)).toMatchObject({ user: 'alice', method: 'gpgauth', data: { ccache: '/tmp/x' } });
  });

  it('ends a session after inactivity, and a used one keeps living until the absolute expiry', async () => {
    const a = login();
    clock.advance(599_000);
    expect(sessions.current(new Exchange(a.cookie))).toBeDefined();
    clock.advance(599_000);
    expect(sessions.current(new Exchange(a.cookie))?.user).toBe('alice');
    clock.advance(600_000);
    expect(sessions.current(new Exchange(a.cookie))).toBeUndefined();
    await settle();
    expect(ended.map((e) => e.reason)).toEqual(['expired']);

    const b = login();
    for (let i = 0; i < 6; i++) {
      clock.advance(590_000);
      expect(sessions.lookup(b.id)).toBeDefined();
    }
    clock.advance(60_000);
    expect(sessions.lookup(b.id)).toBeUndefined();
  });

  it('rotates the id at login and announces the replaced session', async () => {
    const first = login();
    const second = login(first.cookie);
    expect(sessions.lookup(first.id)).toBeUndefined();
    expect(sessions.lookup(second.id)?.user).toBe('alice');
    await settle();
    expect(ended.map((e) => e.reason)).toEqual(['replaced']);
  });

  it('logout ends the session once, clears the cookie and calls onEnd with the data', async () => {
    const { cookie, id } = login();
    const ex = new Exchange(cookie);
    expect(sessions.logout(ex)).toBe(true);
    expect(ex.setCookies[0]).toMatch(/^__Host-sid=; Path=\/; Max-Age=0;/);
    expect(sessions.logout(new Exchange(cookie))).toBe(false);
    expect(sessions.lookup(id)).toBeUndefined();
    await settle();
    expect(ended).toEqual([{ session: expect.objectContaining({ user: 'alice', data: { ccache: '/tmp/x' } }), reason: 'logout' }]);
  });

  it('purge deletes expired sessions, calls onEnd for each, keeps live ones', async () => {
    login();
    clock.advance(300_000);
    const live = login();
    clock.advance(400_000);
    expect(sessions.purge(clock.now())).toBe(1);
    await settle();
    expect(ended).toHaveLength(1);
    expect(ended[0]?.reason).toBe('expired');
    expect(sessions.lookup(live.id)).toBeDefined();
  });

  it('a failing hook neither keeps the session nor throws', async () => {
    sessions.onEnd(() => {
      throw new Error('boom');
    });
    const { cookie, id } = login();
    expect(sessions.logout(new Exchange(cookie))).toBe(true);
    await settle();
    expect(sessions.lookup(id)).toBeUndefined();
  });

  it('ignores malformed and unknown cookies', () => {
    expect(sessions.current(new Exchange('__Host-sid=../../etc'))).toBeUndefined();
    expect(sessions.current(new Exchange(`__Host-sid=${'A'.repeat(43)}`))).toBeUndefined();
  });
});
