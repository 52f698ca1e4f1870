import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl } from '../../support/curl.js';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.js';
import { startTestRealm, type TestRealm } from '../../support/kdc.js';

/**
 * KRB-3 / spec/kerberos.md §8 "Acceptor name mismatch": `service = "HTTP@vm"` with a
 * keytab holding only HTTP/localhost fails, unless the acceptor's krb5.conf sets
 * `ignore_acceptor_hostname = true`. Its own file: MIT reads KRB5_CONFIG per process.
 */
describe('acceptor name and ignore_acceptor_hostname (KRB-3)', () => {
  let realm: TestRealm;
  let keytab: string;
  const daemons: TestDaemon[] = [];
  const start = async () => {
    const d = await startTestDaemon(`
[kerberos]
enabled = true
keytab_file = "${keytab}"
service = "HTTP@vm"
realms = ["TEST.LOCAL"]
replay_cache_dir = "$DIR/rcache"
delegation_dir = "$DIR/ccaches"
`);
    daemons.push(d);
    d.daemon.store.users.add({ username: 'alice' });
    return d;
  };

  beforeAll(async () => {
    realm = await startTestRealm();
    realm.addPrincipal('alice', { password: 'alice-pw' });
    realm.addPrincipal('HTTP/localhost');
    keytab = realm.keytab('http.keytab', 'HTTP/localhost');
  });
  afterAll(async () => {
    for (const d of daemons) await d.stop();
    realm?.stop();
  });

  it('is not ready when the named acceptor has no key in the keytab', async () => {
    process.env['KRB5_CONFIG'] = realm.krb5Config;
    const d = await start();
    const ready = (await (await fetch(`${d.url}/readyz`)).json()) as { checks: Array<{ name: string; status: string; detail?: string }> };
    expect(ready.checks.find((c) => c.name === 'kerberos')).toMatchObject({ status: 'DOWN', detail: expect.stringContaining('HTTP/vm') });
  });

  it('accepts tickets for HTTP/localhost with ignore_acceptor_hostname = true', async () => {
    process.env['KRB5_CONFIG'] = realm.configWith('krb5-ignore-host.conf', 'ignore_acceptor_hostname = true');
    const d = await start();
    const res = await curl(['--negotiate', '-u', ':', `${d.url.replace('127.0.0.1', 'localhost')}/v1/negotiate`], { ...realm.env, KRB5CCNAME: `FILE:${realm.kinit('alice', 'alice-pw')}` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ user: 'alice', principal: 'alice@TEST.LOCAL' });
  });
});
