import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../errors.js';

/** What Node's HTTP parser refused, as the JSON error every other answer uses. */
function answerFor(code: string | undefined): [number, ErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'ERR_HEADERS_TOO_LARGE', 'the request headers are too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'ERR_REQUEST_TIMEOUT', 'the request was not received in time'];
  return [400, 'ERR_INVALID_REQUEST', 'malformed HTTP request'];
}

/**
 * `clientError` listener: requests Node rejects before koa sees them (oversized or
 * malformed headers, a bad request line) still get a 4xx with a stable code, not a
 * bare status line. Like Node's default, it answers only when nothing of a response
 * has been sent on the socket yet, so a pipelined answer is never corrupted.
 */
export function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, description] = answerFor(err.code);
  const body = JSON.stringify({ error: code, error_description: description });
  // An answer to HEAD has no body (RFC 9110 §9.3.2): a client would read one as a broken next response.
  const head = err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
  );
}
