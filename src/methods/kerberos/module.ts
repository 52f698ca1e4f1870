import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { named } from '../../http/app.js';
import { cidrMatcher } from '../../http/addresses.js';
import { negotiate } from '../../http/routes/negotiate.js';
import type { MethodContext, MethodModule } from '../module.js';
import { CcacheDirectory } from './ccache-dir.js';
import { createAcceptor } from './gssapi.js';
import { KerberosService } from './service.js';

export interface KerberosModule extends MethodModule {
  service: KerberosService | undefined;
}

/** What a Kerberos login session carries (shown by GET /v1/session to API callers). */
interface KerberosSessionData {
  principal: string;
  ccache: string | null;
  ccache_expires_at: string | null;
}

/** The private replay cache (KRB-2): MIT's `file2` type in a 0700 directory of ours. */
function prepareReplayCache(dir: string): string {
  const path = resolve(dir);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return `file2:${join(path, 'authbridge.rcache2')}`;
}

/**
 * Kerberos SPNEGO (spec/kerberos.md). Credentials are acquired from the keytab once at
 * construction; when that fails the method logs one line and is not ready, and the
 * route answers 500 ERR_KERBEROS_NOT_CONFIGURED (KRB-1) while the other methods keep serving.
 */
export function createKerberosModule(ctx: MethodContext): KerberosModule | undefined {
  const { config, logger, store, clock, regulation, sessions } = ctx;
  const settings = config.kerberos;
  if (!settings.enabled) return undefined;

  let service: KerberosService | undefined;
  let problem = '';
  const ccaches = new CcacheDirectory(settings.delegation_dir);
  try {
    const rcache = prepareReplayCache(settings.replay_cache_dir);
    ccaches.prepare();
    const acceptor = createAcceptor({ keytab: resolve(settings.keytab_file), service: settings.service, rcache });
    service = new KerberosService({ acceptor, settings, store, clock, logger, regulation, ccaches });
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
    logger.warn('kerberos.not_ready', { keytab: settings.keytab_file, service: settings.service || '(any key in the keytab)', reason: problem });
  }
  const ready = service;
  if (ready) {
    const strays = ccaches.removeStrays(store.kerberos.allCcachePaths());
    if (strays > 0) logger.info('kerberos.stray_ccaches_removed', { count: strays });
    store.addPurgeable({ purge: (now) => ready.purge(now) });
    // KRB-4: a stored cache lives no longer than the login session that carries it.
    sessions.onEnd((session) => {
      const data = session.data as Partial<KerberosSessionData> | null;
      if (session.method === 'kerberos' && typeof data?.ccache === 'string') ready.removeCcacheOfSession(data.ccache);
    });
  }
  const isAllowedAddress = cidrMatcher(config.api.allow_unauthenticated_from);
  const apiClient = (header: string) => {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    return (token === undefined ? undefined : store.clients.authenticate(token)) ?? null;
  };

  return {
    name: 'kerberos',
    service,
    readiness: {
      name: 'kerberos',
      check: () => {
        // The keytab is read at every accept: one that vanished later makes the method not ready again.
        const detail = ready ? ready.keytabProblem() : problem;
        return detail === undefined ? { up: true } : { up: false, detail };
      },
    },
    routes(router) {
      router.get(
        '/v1/negotiate',
        named('/v1/negotiate'),
        negotiate({
          service,
          isAllowedAddress,
          apiClient: (c) => apiClient(c.get('x-authbridge-client')),
          startSession: (c, login) => {
            const data: KerberosSessionData = {
              principal: login.principal,
              ccache: login.ccache?.path ?? null,
              ccache_expires_at: login.ccache ? new Date(login.ccache.expiresAt).toISOString() : null,
            };
            sessions.issue(c, { user: login.user.username, method: 'kerberos', data });
          },
        }),
      );
    },
  };
}
