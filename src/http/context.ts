import type { Logger } from '../log.js';
import type { Caller } from '../methods/xmpp-approval/service.js';

/** What authbridge's middleware adds to Koa's `ctx.state`. */
export interface AppState {
  requestId: string;
  /** The client's address, resolved through trusted proxies. */
  clientIp: string;
  /** The route's template (e.g. `/v1/xmpp/requests/:id`), for logs. */
  route?: string;
  caller?: Caller;
  logger: Logger;
}
