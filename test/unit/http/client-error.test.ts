import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answerClientError } from '../../../src/http/client-error.js';

/** A socket stand-in that records what is written to it. */
function fakeSocket(inFlight?: { headersSent: boolean }) {
  const written: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk);
      done();
    },
  });
  Object.assign(socket, { _httpMessage: inFlight ?? null });
  return { socket, text: () => Buffer.concat(written).toString('utf8') };
}

const parserError = (code: string) => Object.assign(new Error(code), { code });

describe('answers to requests Node refuses before koa (clientError)', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', '431 Request Header Fields Too Large', 'ERR_HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', '408 Request Timeout', 'ERR_REQUEST_TIMEOUT'],
    ['HPE_INVALID_HEADER_TOKEN', '400 Bad Request', 'ERR_INVALID_REQUEST'],
  ])('%s → %s with {"error": "%s"}', async (code, statusLine, errorCode) => {
    const { socket, text } = fakeSocket();
    answerClientError(parserError(code), socket);
    await new Promise((resolve) => socket.once('finish', resolve));
    const [head, body] = text().split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${statusLine}\r\n`));
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body ?? '')}`);
    expect(JSON.parse(body ?? '')).toEqual({ error: errorCode, error_description: expect.any(String) });
  });

  it('answers a HEAD request without a body (RFC 9110 §9.3.2)', async () => {
    const { socket, text } = fakeSocket();
    answerClientError(Object.assign(parserError('HPE_INVALID_URL'), { rawPacket: Buffer.from('HEAD /x?\xff HTTP/1.1\r\n\r\n', 'latin1') }), socket);
    await new Promise((resolve) => socket.once('finish', resolve));
    const [head, body] = text().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(body).toBe('');
  });

  it('writes nothing over a response already under way, or to a reset connection', () => {
    for (const [err, inFlight] of [[parserError('HPE_INVALID_METHOD'), { headersSent: true }], [parserError('ECONNRESET'), undefined]] as const) {
      const { socket, text } = fakeSocket(inFlight);
      answerClientError(err, socket);
      expect(socket.destroyed).toBe(true);
      expect(text()).toBe('');
    }
  });
});
