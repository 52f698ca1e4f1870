import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

/** The value of one sample line of the Prometheus text format, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics (OPS-13)', () => {
  let t: TestDaemon;
  let metricsUrl: string;
  beforeAll(async () => {
    t = await startTestDaemon('[metrics]\nenabled = true\nlisten = "127.0.0.1:0"\n[regulation]\nmax_retries = 2\n');
    metricsUrl = `http://127.0.0.1:${t.daemon.metricsAddress?.port}/metrics`;
  });
  afterAll(() => t.stop());

  it('count requests by route and code, attempts by method and result, bans, and the XMPP link state', async () => {
    await fetch(`${t.url}/healthz`);
    const verify = () =>
      fetch(`${t.url}/v1/jwt/verify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ authorization: 'JWT garbage' }) });
    expect([(await verify()).status, (await verify()).status, (await verify()).status]).toEqual([401, 401, 429]);

    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'authbridge_http_requests_total{route="/healthz",code="200"}')).toBe(1);
    expect(sample(text, 'authbridge_http_requests_total{route="/v1/jwt/verify",code="401"}')).toBe(2);
    expect(sample(text, 'authbridge_http_requests_total{route="/v1/jwt/verify",code="429"}')).toBe(1);
    expect(sample(text, 'authbridge_http_request_duration_seconds_count{route="/v1/jwt/verify"}')).toBe(3);
    expect(sample(text, 'authbridge_auth_attempts_total{method="jwt",result="failure"}')).toBe(2);
    expect(sample(text, 'authbridge_auth_attempts_total{method="jwt",result="rate_limited"}')).toBe(1);
    expect(sample(text, 'authbridge_regulation_bans_total')).toBe(1);
    // XMPP is disabled in the test daemon: the link is never up.
    expect(sample(text, 'authbridge_xmpp_link_up')).toBe(0);
    expect(sample(text, 'authbridge_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('are served only on their own listener', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });
});

describe('metrics when not enabled', () => {
  it('listen nowhere', async () => {
    const t = await startTestDaemon();
    try {
      expect(t.daemon.metricsAddress).toBeUndefined();
    } finally {
      await t.stop();
    }
  });
});
