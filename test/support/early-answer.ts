import { connect } from 'node:net';
import { BOUNDARY, filePart } from './multipart';

/** What a server answered to a body it was never sent whole. */
export interface EarlyAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * Sends the head of a multipart upload of `path` with one file part (`fileBytes` of it), never the rest, and
 * reads the answer. The answer arriving at all, followed by the server closing the connection, shows the server
 * answered without reading on: this client never finishes its body, so a server that waits for it never answers
 * (the test times out). `declared`: a `Content-Length` to declare; without it the body is chunked.
 */
export function earlyAnswer(
  port: number,
  path: string,
  fileBytes: Buffer,
  declared?: number,
): Promise<EarlyAnswer> {
  const part = filePart('file', 'filename="big.jpg"', fileBytes).subarray(0, -2);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
    (declared === undefined ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${declared}\r\n`) +
    '\r\n';
  const socket = connect(port, '127.0.0.1');
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    // An answer followed by a reset is still an answer: what arrived before it counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!match) return reject(new Error(`no HTTP answer before the connection closed: ${text}`));
      resolve({ status: Number(match[1]), headers: match[2]!.toLowerCase(), body: match[3]! });
    });
    socket.write(head);
    if (declared === undefined) {
      // One chunk per 64 KiB, as a streaming client sends them; the final zero-length chunk never comes.
      for (let off = 0; off < part.length; off += 64 * 1024) {
        const chunk = part.subarray(off, off + 64 * 1024);
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
      }
    } else {
      socket.write(part);
    }
  });
}

/** The JSON of an answer's body, chunked or not. */
export function answerJson(answer: EarlyAnswer): unknown {
  const body = /transfer-encoding: chunked/.test(answer.headers)
    ? answer.body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '')
    : answer.body;
  return JSON.parse(body);
}
