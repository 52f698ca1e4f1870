import type { Middleware } from 'koa';
import type { AppState } from '../context.js';
import type { ReadinessCheck } from '../readiness.js';

// GET /healthz: the process is alive and serving HTTP.
export function healthz(): Middleware<AppState> {
  return function answerAlive(ctx) {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'UP' };
  };
}

// GET /readyz: every check passes (OPS-13); 503 naming the failing checks otherwise.
export function readyz(checks: readonly ReadinessCheck[]): Middleware<AppState> {
  return function answerReadiness(ctx) {
    const results = checks.map((c) => {
      const { up, detail } = c.check();
      return { name: c.name, status: up ? 'UP' : 'DOWN', ...(detail === undefined ? {} : { detail }) };
    });
    const up = results.every((r) => r.status === 'UP');
    ctx.set('Cache-Control', 'no-store');
    ctx.status = up ? 200 : 503;
    ctx.body = { status: up ? 'UP' : 'DOWN', checks: results };
  };
}
