import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { ManualClock } from '../../../src/clock.js';
import { AppError } from '../../../src/errors.js';
import { CcacheDirectory } from '../../../src/methods/kerberos/ccache-dir.js';
import type { AcceptResult, Acceptor, DelegatedCredential } from '../../../src/methods/kerberos/gssapi.js';
import { KerberosService } from '../../../src/methods/kerberos/service.js';
import { Regulation } from '../../../src/regulation/regulation.js';
import { Store } from '../../../src/store/store.js';

/** A logger that keeps what it logged, to count lines. */
function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      lines.push(info);
      done();
    },
  });
  return { lines, logger: winston.createLogger({ transports: [new winston.transports.Stream({ stream: sink })] }) };
}

/** A stand-in for the addon's delegated credential: writes a file, or fails, and counts releases. */
function fakeDelegated(behaviour: 'store' | 'fail'): DelegatedCredential & { releases: number } {
  return {
    releases: 0,
    store(ccacheName: string) {
      if (behaviour === 'fail') throw Object.assign(new Error('gss_store_cred_into: failed'), { major: 851968, minor: 0 });
      writeFileSync(ccacheName.replace(/^FILE:/, ''), 'ticket', { mode: 0o600 });
      return { lifetime: 3600 };
    },
    release() {
      this.releases++;
    },
  };
}

const gssFailure = () => Object.assign(new Error('gss_accept_sec_context: Unspecified GSS failure'), { major: 851968, minor: 0 });

describe('KerberosService (failure paths, with a stand-in acceptor)', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let memory: ReturnType<typeof memoryLogger>;
  let next: () => Promise<AcceptResult>;
  let ccaches: CcacheDirectory;
  let service: KerberosService;
  const caller = { client: null, ip: '192.0.2.1' };
  const accepted = (delegated: DelegatedCredential | null, principal = 'alice@TEST.LOCAL'): AcceptResult => ({ principal, outputToken: null, flags: 0, lifetime: 3600, delegated });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'authbridge-krb-service-'));
    clock = new ManualClock();
    store = new Store(':memory:', clock);
    store.users.add({ username: 'alice' });
    memory = memoryLogger();
    ccaches = new CcacheDirectory(join(dir, 'ccaches'));
    ccaches.prepare();
    const acceptor: Acceptor = { accept: () => next() };
    service = new KerberosService({
      acceptor,
      settings: { keytab_file: join(dir, 'http.keytab'), realms: ['TEST.LOCAL'], user_mapping: 'strip_realm', principal_map: {} },
      store,
      clock,
      logger: memory.logger,
      regulation: new Regulation(store.db, clock, { max_retries: 100, find_time: 60, ban_time: 60 }),
      ccaches,
    });
    writeFileSync(join(dir, 'http.keytab'), 'keys');
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const code = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'resolved';
    } catch (err) {
      return err instanceof AppError ? `${err.status} ${err.code}` : String(err);
    }
  };

  it('logs in without the delegation when storing the credential fails, and releases it', async () => {
    const delegated = fakeDelegated('fail');
    next = async () => accepted(delegated);
    const login = await service.login(Buffer.from('t1'), caller);
    expect(login).toMatchObject({ user: { username: 'alice' }, ccache: null });
    expect(delegated.releases).toBe(1);
    expect(readdirSync(ccaches.path)).toEqual([]);
    expect(store.audit.recent(1)[0]).toMatchObject({ result: 'success', detail: 'delegated credential not stored' });
    expect(memory.lines.filter((l) => l['message'] === 'kerberos.delegation_store_failed')).toHaveLength(1);
  });

  it('removes the stored file when the login transaction rolls back (e.g. the session insert fails)', async () => {
    const delegated = fakeDelegated('store');
    next = async () => accepted(delegated);
    const failure = new Error('session insert failed');
    await expect(service.login(Buffer.from('t2'), caller, () => { throw failure; })).rejects.toBe(failure);
    expect(readdirSync(ccaches.path)).toEqual([]);
    expect(store.kerberos.allCcachePaths().size).toBe(0);
    expect(store.audit.recent(10).filter((e) => e.method === 'kerberos')).toEqual([]); // rolled back with it
    expect(delegated.releases).toBe(1);
  });

  it('stores the cache, its row and the caller\'s work in the same transaction', async () => {
    const delegated = fakeDelegated('store');
    next = async () => accepted(delegated);
    let inTransaction = false;
    const login = await service.login(Buffer.from('t3'), caller, () => (inTransaction = store.db.inTransaction));
    expect(inTransaction).toBe(true);
    expect(login.ccache?.path).toBeDefined();
    expect(readdirSync(ccaches.path)).toEqual([login.ccache?.path.split('/').pop()]);
    expect(store.kerberos.allCcachePaths()).toEqual(new Set([login.ccache?.path]));
    expect(login.ccache?.expiresAt).toBe(clock.now() + 3600_000);
    expect(delegated.releases).toBe(1);
  });

  it('releases a delegated credential of a refused principal without storing it', async () => {
    const delegated = fakeDelegated('store');
    next = async () => accepted(delegated, 'alice@OTHER.REALM');
    expect(await code(service.login(Buffer.from('t4'), caller))).toBe('403 ERR_KERBEROS_REALM_NOT_ALLOWED');
    expect(delegated.releases).toBe(1);
    expect(readdirSync(ccaches.path)).toEqual([]);
  });

  it('names a replay of an accepted token, and calls other GSS failures invalid', async () => {
    next = async () => accepted(null);
    await service.login(Buffer.from('same'), caller);
    next = async () => Promise.reject(gssFailure());
    expect(await code(service.login(Buffer.from('same'), caller))).toBe('401 ERR_KERBEROS_TOKEN_REPLAYED');
    expect(await code(service.login(Buffer.from('other'), caller))).toBe('401 ERR_KERBEROS_TOKEN_INVALID');
  });

  it('turns GSS failures into 500 ERR_KERBEROS_NOT_CONFIGURED while the keytab is unreadable, logged once', async () => {
    rmSync(join(dir, 'http.keytab'));
    next = async () => Promise.reject(gssFailure());
    expect(await code(service.login(Buffer.from('a'), caller))).toBe('500 ERR_KERBEROS_NOT_CONFIGURED');
    expect(await code(service.login(Buffer.from('b'), caller))).toBe('500 ERR_KERBEROS_NOT_CONFIGURED');
    expect(service.keytabProblem()).toContain('ENOENT');
    expect(memory.lines.filter((l) => l['message'] === 'kerberos.not_ready')).toHaveLength(1);
    writeFileSync(join(dir, 'http.keytab'), 'keys');
    expect(service.keytabProblem()).toBeUndefined();
    expect(await code(service.login(Buffer.from('c'), caller))).toBe('401 ERR_KERBEROS_TOKEN_INVALID');
  });
});
