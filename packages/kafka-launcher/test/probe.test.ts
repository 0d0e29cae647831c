import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { apiVersionsRequest, parseApiVersionsResponse, probeApiVersions } from '../src/probe.js';

/** An ApiVersions v0 response: size, correlation id, error code, api count. */
function response(correlationId: number, errorCode = 0, apiCount = 3): Buffer {
  const body = Buffer.alloc(4 + 2 + 4 + 6 * apiCount);
  body.writeInt32BE(correlationId, 0);
  body.writeInt16BE(errorCode, 4);
  body.writeInt32BE(apiCount, 6);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

describe('the ApiVersions request', () => {
  it('is api key 18, version 0, the correlation id and our client id, size-prefixed', () => {
    const request = apiVersionsRequest(42);
    expect(request.readInt32BE(0)).toBe(request.length - 4);
    expect(request.readInt16BE(4)).toBe(18);
    expect(request.readInt16BE(6)).toBe(0);
    expect(request.readInt32BE(8)).toBe(42);
    const clientIdLength = request.readInt16BE(12);
    expect(request.subarray(14, 14 + clientIdLength).toString()).toBe('pipeline-kafka-launcher');
  });
});

describe('parseApiVersionsResponse', () => {
  it('waits for the whole response, then checks the correlation id and the error code', () => {
    const full = response(7);
    expect(parseApiVersionsResponse(full.subarray(0, 3), 7)).toBeUndefined();
    expect(parseApiVersionsResponse(full.subarray(0, 9), 7)).toBeUndefined();
    expect(parseApiVersionsResponse(full, 7)).toEqual({ ok: true, apiCount: 3 });
    expect(parseApiVersionsResponse(full, 8)).toEqual({ ok: false, reason: 'correlation id 7, expected 8' });
    expect(parseApiVersionsResponse(response(7, 35), 7)).toEqual({
      ok: false,
      reason: 'ApiVersions error code 35',
    });
  });
});

describe('probeApiVersions', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  function listen(onData: (request: Buffer, reply: (b: Buffer) => void) => void): Promise<number> {
    server = createServer((socket) => socket.on('data', (b) => onData(b, (r) => socket.write(r))));
    return new Promise((resolve) =>
      server?.listen(0, '127.0.0.1', () => {
        const address = server?.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
  }

  it('is ok when the other end answers like a broker', async () => {
    const port = await listen((request, reply) => reply(response(request.readInt32BE(8))));
    expect(await probeApiVersions({ port })).toEqual({ ok: true, apiCount: 3 });
  });

  it('says why when nothing answers in time, or nothing listens', async () => {
    const port = await listen(() => {});
    expect(await probeApiVersions({ port, timeoutMs: 200 })).toEqual({
      ok: false,
      reason: 'no answer within 200 ms',
    });
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    expect(await probeApiVersions({ port })).toEqual({ ok: false, reason: 'ECONNREFUSED' });
  });
});
