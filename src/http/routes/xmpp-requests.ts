import type { Middleware } from 'koa';
import { AppError, badRequest } from '../../errors.js';
import type { XmppApprovalService } from '../../methods/xmpp-approval/service.js';
import type { XmppRequestRecord } from '../../store/xmpp-requests.js';
import { objectBody, optionalString } from '../body.js';
import type { AppState } from '../context.js';

interface TimeoutSettings {
  default_timeout: number;
  max_timeout: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function render(record: XmppRequestRecord) {
  return {
    id: record.id,
    status: record.status,
    code: record.transactionId,
    jid: record.jid,
    domain: record.domain,
    method: record.method,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    decided_at: iso(record.decidedAt),
  };
}

function requireService(approvals: XmppApprovalService | undefined): XmppApprovalService {
  if (!approvals) throw new AppError(503, 'ERR_XMPP_UNAVAILABLE', 'the XMPP method is disabled in the configuration', { expose: true });
  return approvals;
}

function seconds(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined || raw === null) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw badRequest(`${name} must be a whole number of seconds`);
  return Math.min(value, max);
}

// POST /v1/xmpp/requests {jid, domain, method, transaction_id?, timeout?} → 202 {id, status: "pending", code}
export function createXmppRequest(approvals: XmppApprovalService | undefined, settings: TimeoutSettings): Middleware<AppState> {
  return function startApproval(ctx) {
    const service = requireService(approvals);
    const fields = objectBody(ctx.request.body);
    const timeout = seconds(fields['timeout'], 'timeout', settings.default_timeout, settings.max_timeout);
    if (timeout === 0) throw badRequest('timeout must be at least 1 second');
    const { record } = service.start(
      {
        jid: optionalString(fields, 'jid') ?? '',
        domain: optionalString(fields, 'domain') ?? '',
        method: optionalString(fields, 'method') ?? '',
        transactionId: optionalString(fields, 'transaction_id'),
        timeoutSeconds: timeout,
      },
      ctx.state.caller ?? { client: null, ip: ctx.state.clientIp },
      true,
    );
    ctx.status = 202;
    ctx.set('Location', `/v1/xmpp/requests/${record.id}`);
    ctx.body = render(record);
  };
}

// GET /v1/xmpp/requests/:id?wait=SECONDS — long-polls until decided or `wait` passes.
export function getXmppRequest(approvals: XmppApprovalService | undefined, settings: TimeoutSettings): Middleware<AppState> {
  return async function answerApprovalState(ctx) {
    const service = requireService(approvals);
    const id = (ctx as unknown as { params: { id: string } }).params.id;
    const wait = seconds(ctx.query['wait'], 'wait', 0, settings.max_timeout);
    const caller = ctx.state.caller ?? { client: null, ip: ctx.state.clientIp };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = render(await service.waitFor(id, caller, wait * 1000));
  };
}
