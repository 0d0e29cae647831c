import { randomBytes } from 'node:crypto';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import * as snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import { createKafkaClient } from '../src/index.js';

// The codecs src/codecs.ts registers with kafkajs, byte-level, without a broker. What other clients
// write is covered against a real broker in compression.integration.test.ts.

const CODECS = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;

interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
const codec = (type: Exclude<CompressionTypes, CompressionTypes.None>): KafkajsCodec =>
  CompressionCodecs[type]() as KafkajsCodec;

/** Text and random bytes: compressible, yet not trivially. */
function payload(size: number): Buffer {
  const text = Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(Math.ceil(size / 90)));
  return Buffer.concat([text, randomBytes(size)]).subarray(0, size);
}

describe('compression codecs registered with kafkajs', () => {
  it('are registered by loading the package (a client need not exist yet)', () => {
    for (const type of Object.values(CODECS)) expect(() => codec(type)).not.toThrow();
    // Creating clients registers nothing twice.
    createKafkaClient({
      brokers: ['localhost:9092'],
      clientId: 'c',
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 1000,
    });
    expect(() => codec(CompressionTypes.LZ4)).not.toThrow();
  });

  it.each(Object.entries(CODECS))('%s round-trips tiny and multi-block batches', async (_name, type) => {
    const { compress, decompress } = codec(type);
    // 1 byte; 100 KiB (several snappy-java blocks); 700 KiB (several 256 KiB LZ4 frame blocks).
    for (const size of [1, 100 * 1024, 700 * 1024]) {
      const data = payload(size);
      const compressed = await compress({ buffer: data });
      if (size > 1) expect(compressed.length).toBeLessThan(data.length);
      expect((await decompress(compressed)).equals(data)).toBe(true);
    }
  });

  it('snappy reads raw snappy, as librdkafka writes it', async () => {
    const data = payload(50_000);
    const raw = await snappy.compress(data);
    expect((await codec(CompressionTypes.Snappy).decompress(raw)).equals(data)).toBe(true);
  });

  it("snappy writes snappy-java's framing, as the Java client does: magic, versions, 32 KiB blocks", async () => {
    const data = payload(70 * 1024);
    const out = await codec(CompressionTypes.Snappy).compress({ buffer: data });
    expect(out.subarray(0, 8)).toEqual(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]));
    expect([out.readInt32BE(8), out.readInt32BE(12)]).toEqual([1, 1]);
    // Three blocks (32 + 32 + 6 KiB), each a raw snappy block of its own.
    const blocks: Buffer[] = [];
    for (let offset = 16; offset < out.length; ) {
      const length = out.readInt32BE(offset);
      blocks.push(
        (await snappy.uncompress(out.subarray(offset + 4, offset + 4 + length), {
          asBuffer: true,
        })) as Buffer,
      );
      offset += 4 + length;
    }
    expect(blocks.map((b) => b.length)).toEqual([32 * 1024, 32 * 1024, 6 * 1024]);
    expect(Buffer.concat(blocks).equals(data)).toBe(true);
  });

  it('snappy refuses a truncated snappy-java stream with a clear error', async () => {
    const out = await codec(CompressionTypes.Snappy).compress({ buffer: payload(40_000) });
    await expect(codec(CompressionTypes.Snappy).decompress(out.subarray(0, out.length - 10))).rejects.toThrow(
      /snappy \(xerial\): block of \d+ bytes runs past the end/,
    );
  });

  it('lz4 writes the LZ4 frame format with independent blocks (what the Java client reads)', async () => {
    const out = await codec(CompressionTypes.LZ4).compress({ buffer: payload(300 * 1024) });
    expect(out.readUInt32LE(0)).toBe(0x184d2204);
    const flg = out[4] ?? 0;
    expect(flg >> 6).toBe(1); // version 01
    expect(flg & 0x20).toBe(0x20); // block independence
  });

  it('zstd reads frames that do not state their size, as streaming writers (the Java client) make them', async () => {
    const zstd = await Zstd.load();
    // 4 MiB that compresses more than 20-fold: a reader that guesses the output size from the input fails here.
    const data = Buffer.concat([payload(64 * 1024), Buffer.alloc(4 * 1024 * 1024, 7)]);
    zstd.reset();
    const streamed = Buffer.concat([zstd.compressChunk(data), zstd.compressEnd()]);
    // Frame header descriptor: Frame_Content_Size_flag (bits 7-6) = 0 and Single_Segment_flag (bit 5) = 0: no size.
    expect((streamed[4] ?? 0) & 0xe0).toBe(0);
    expect((await codec(CompressionTypes.ZSTD).decompress(streamed)).equals(data)).toBe(true);
  });
});
