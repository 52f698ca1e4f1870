import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl } from '../../support/curl.js';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.js';
import { startTestRealm, type TestRealm } from '../../support/kdc.js';
import { startTestPostgres, type TestPostgres } from '../../support/postgres.js';

/**
 * The end-to-end proof of delegation (issue 5): the credential alice forwarded to
 * authbridge, and nothing else, opens a GSSAPI-authenticated PostgreSQL connection.
 */
describe('a delegated credential opens a PostgreSQL connection as the user', () => {
  let realm: TestRealm;
  let daemon: TestDaemon;
  let postgres: TestPostgres;

  beforeAll(async () => {
    realm = await startTestRealm();
    process.env['KRB5_CONFIG'] = realm.krb5Config;
    realm.addPrincipal('alice', { password: 'alice-pw' });
    realm.addPrincipal('HTTP/localhost');
    realm.addPrincipal('postgres/localhost');
    const httpKeytab = realm.keytab('http.keytab', 'HTTP/localhost');
    postgres = await startTestPostgres({ keytab: realm.keytab('postgres.keytab', 'postgres/localhost'), krb5Config: realm.krb5Config, realm: realm.realm, roles: ['alice'] });
    daemon = await startTestDaemon(`
[kerberos]
enabled = true
keytab_file = "${httpKeytab}"
service = "HTTP@localhost"
realms = ["TEST.LOCAL"]
replay_cache_dir = "$DIR/rcache"
delegation_dir = "$DIR/ccaches"
`);
    daemon.daemon.store.users.add({ username: 'alice' });
  });
  afterAll(async () => {
    await daemon?.stop();
    postgres?.stop();
    realm?.stop();
  });

  it('psql logs in as alice with only the stored cache (KRB5CCNAME=that file)', async () => {
    const aliceCache = realm.kinit('alice', 'alice-pw');
    const url = `${daemon.url.replace('127.0.0.1', 'localhost')}/v1/negotiate`;
    const res = await curl(['--negotiate', '-u', ':', '--delegation', 'always', url], { ...realm.env, KRB5CCNAME: `FILE:${aliceCache}` });
    expect(res.status).toBe(200);
    const { ccache, delegated } = JSON.parse(res.body) as { ccache: string; delegated: boolean };
    expect(delegated).toBe(true);

    const onlyStored = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', KRB5_CONFIG: realm.krb5Config, KRB5CCNAME: `FILE:${ccache}` };
    const row = await postgres.query('alice', 'SELECT current_user, gss_authenticated, principal FROM pg_stat_gssapi WHERE pid = pg_backend_pid()', onlyStored);
    expect(row).toBe('alice|t|alice@TEST.LOCAL');
  });

  it('psql without any credential is refused by the same server', async () => {
    const none = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', KRB5_CONFIG: realm.krb5Config, KRB5CCNAME: `FILE:${realm.dir}/empty.ccache` };
    await expect(postgres.query('alice', 'SELECT 1', none)).rejects.toThrow(/GSSAPI|authentication failed|credentials/i);
  });
});
