import type { XmppRequestStatus } from '../../store/xmpp-requests.js';

/** The original HTTPAuthentificationOverXMPP status codes (spec/xmpp.md §2.3, XMPP-4). */
export function originalStatusCode(status: XmppRequestStatus): number {
  switch (status) {
    case 'approved': return 200;
    case 'denied':
    case 'expired': return 401;
    case 'unreachable':
    case 'interrupted': return 523;
    case 'pending':
    case 'failed': return 520;
  }
}
