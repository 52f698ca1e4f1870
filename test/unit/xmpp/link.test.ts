import { describe, expect, it } from 'vitest';
import { describeFatal } from '../../../src/xmpp/link.js';

const streamError = (condition: string) => Object.assign(new Error(condition), { name: 'StreamError', condition });
const socketError = (code: string) => Object.assign(new Error(code), { code });

describe('describeFatal (XMPP-18)', () => {
  it('a refused secret or an unknown component domain ends the link with a clear reason', () => {
    expect(describeFatal(streamError('not-authorized'))).toMatch(/refused the component secret.*xmpp\.secret/);
    expect(describeFatal(streamError('host-unknown'))).toMatch(/does not know the component domain.*xmpp\.domain/);
    // Even after having been online: the server's configuration changed under us.
    expect(describeFatal(streamError('not-authorized'), true)).toBeDefined();
  });

  it('conflicts and network errors are retried', () => {
    expect(describeFatal(streamError('conflict'))).toBeUndefined();
    expect(describeFatal(socketError('ECONNREFUSED'))).toBeUndefined();
    expect(describeFatal(socketError('ECONNRESET'), true)).toBeUndefined();
    // A resolver that is only unavailable for now.
    expect(describeFatal(socketError('EAI_AGAIN'))).toBeUndefined();
  });

  it('a host name that does not resolve is fatal at start-up only', () => {
    expect(describeFatal(socketError('ENOTFOUND'))).toMatch(/cannot resolve the host of xmpp\.service/);
    expect(describeFatal(socketError('ENOTFOUND'), true)).toBeUndefined();
  });
});
