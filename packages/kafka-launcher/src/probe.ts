// Readiness check that speaks Kafka: an ApiVersions request (api key 18, version 0) over a raw TCP
// socket. An open port only proves the listener is bound; a correct ApiVersions response with error
// code 0 proves the broker's request handlers are serving. (In KRaft the broker listener starts
// processing requests only once the broker has registered with the controller and is unfenced.)

import { randomInt } from 'node:crypto';
import { createConnection } from 'node:net';

const API_VERSIONS = 18;
const CLIENT_ID = 'pipeline-kafka-launcher';

export type ProbeResult = { ok: true; apiCount: number | undefined } | { ok: false; reason: string };

/** Request header v1 (api_key, api_version, correlation_id, client_id) and an empty v0 body. */
export function apiVersionsRequest(correlationId: number): Buffer {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let o = body.writeInt16BE(API_VERSIONS, 0);
  o = body.writeInt16BE(0, o);
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  clientId.copy(body, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/**
 * Reads a complete ApiVersions v0 response (size-prefixed), or returns undefined while more bytes are
 * needed.
 */
export function parseApiVersionsResponse(buf: Buffer, correlationId: number): ProbeResult | undefined {
  if (buf.length < 4) return undefined;
  const size = buf.readInt32BE(0);
  if (buf.length < 4 + size) return undefined;
  // Response header v0 (ApiVersions always uses v0 so old clients can parse it): correlation_id;
  // then the v0 body: error_code int16, api_keys array (int32 count, then 6 bytes per entry).
  if (size < 6) return { ok: false, reason: `short response (${size} bytes)` };
  const gotCorrelation = buf.readInt32BE(4);
  const errorCode = buf.readInt16BE(8);
  if (gotCorrelation !== correlationId) {
    return { ok: false, reason: `correlation id ${gotCorrelation}, expected ${correlationId}` };
  }
  if (errorCode !== 0) return { ok: false, reason: `ApiVersions error code ${errorCode}` };
  return { ok: true, apiCount: size >= 10 ? buf.readInt32BE(10) : undefined };
}

/** Sends one ApiVersions v0 request; never rejects. */
export function probeApiVersions({
  host = '127.0.0.1',
  port,
  timeoutMs = 2000,
}: {
  host?: string;
  port: number;
  timeoutMs?: number;
}): Promise<ProbeResult> {
  const correlationId = randomInt(1, 2 ** 31 - 1);
  return exchange({
    host,
    port,
    timeoutMs,
    request: apiVersionsRequest(correlationId),
    parse: (buf) => parseApiVersionsResponse(buf, correlationId),
    failure: (reason): ProbeResult => ({ ok: false, reason }),
  });
}

/**
 * One request over a fresh TCP connection: writes `request`, feeds every chunk received so far to
 * `parse` until it returns a result. Never rejects: connection errors and the timeout become
 * `failure(reason)`. Shared by the ApiVersions probe and the Metadata request (metadata.ts).
 */
export function exchange<T>({
  host = '127.0.0.1',
  port,
  timeoutMs,
  request,
  parse,
  failure,
}: {
  host?: string;
  port: number;
  timeoutMs: number;
  request: Buffer;
  parse: (received: Buffer) => T | undefined;
  failure: (reason: string) => T;
}): Promise<T> {
  return new Promise((resolve) => {
    let settled = false;
    let buf = Buffer.alloc(0);
    const socket = createConnection({ host, port });
    const finish = (result: T): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish(failure(`no answer within ${timeoutMs} ms`)));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(failure(err.code || err.message)));
    socket.on('close', () => finish(failure('connection closed before a full response')));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let result: T | undefined;
      try {
        result = parse(buf);
      } catch (err) {
        result = failure(`unreadable response: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (result !== undefined) finish(result);
    });
  });
}
