import { named } from '../../http/app.js';
import { gpgAuthIsAuthenticated, gpgAuthLogin, gpgAuthLogout, gpgAuthVerifyGet } from '../../http/routes/gpgauth.js';
import type { MethodContext, MethodModule } from '../module.js';
import type { GpgAuthService } from './service.js';

export interface GpgAuthModule extends MethodModule {
  readonly service: GpgAuthService | undefined;
}

/**
 * gpgAuth 1.3.0 on passbolt's paths. The server key is unlocked once in prepare(),
 * before the port is bound; a bad key or passphrase fails the start-up, no key
 * leaves the method off. OpenPGP.js (about 12 MB resident) is loaded only then.
 */
export function createGpgAuthModule(ctx: MethodContext): GpgAuthModule {
  const { config, store, clock, logger, regulation, sessions } = ctx;
  const settings = config.gpgauth;
  let service: GpgAuthService | undefined;
  const ref = () => service;
  store.addPurgeable({
    purge: (now) => {
      service?.sweep();
      return store.gpgTokens.purgeCreatedBefore(now - settings.token_ttl * 1000);
    },
  });

  return {
    name: 'gpgauth',
    get service() {
      return service;
    },
    routes(router) {
      router.get('/auth/verify.json', named('/auth/verify.json'), gpgAuthVerifyGet(ref, clock));
      router.post('/auth/verify.json', named('/auth/verify.json'), gpgAuthLogin(ref, sessions, clock));
      router.post('/auth/login.json', named('/auth/login.json'), gpgAuthLogin(ref, sessions, clock));
      router.get('/auth/logout', named('/auth/logout'), gpgAuthLogout(sessions, clock));
      router.post('/auth/logout', named('/auth/logout'), gpgAuthLogout(sessions, clock));
      router.get('/auth/is-authenticated.json', named('/auth/is-authenticated.json'), gpgAuthIsAuthenticated(sessions, clock));
    },
    // Without a configured key gpgAuth is off (like xmpp.enabled = false) and stays out of /readyz.
    ...(settings.server_key_file === undefined ? {} : { readiness: { name: 'gpgauth', check: () => ({ up: service !== undefined, ...(service ? {} : { detail: 'server key not loaded' }) }) } }),
    async prepare() {
      if (settings.server_key_file === undefined) {
        logger.warn('gpgauth.disabled', { reason: 'gpgauth.server_key_file is not set: gpgAuth answers 503' });
        return;
      }
      const [{ loadServerKey }, { GpgAuthService }] = await Promise.all([import('./server-key.js'), import('./service.js')]);
      const serverKey = await loadServerKey(settings.server_key_file, settings.passphrase);
      service = new GpgAuthService({ serverKey, store, clock, regulation, settings, logger });
      logger.info('gpgauth.ready', { fingerprint: serverKey.fingerprint });
    },
  };
}
