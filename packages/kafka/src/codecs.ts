import { ConfigError } from '@pipeline/common';
import kafkajs from 'kafkajs';

// kafkajs is CommonJS: Node's ESM loader finds these two only on the default export (vitest finds
// them either way, so only a plain `node` run would fail; test/built-package.test.ts runs one).
const { CompressionCodecs, CompressionTypes } = kafkajs;
type CompressionTypes = kafkajs.CompressionTypes;

/**
 * Kafka's compression codecs, as producers name them (`compression.type`). Every record any common
 * client writes (Java, librdkafka in Python/Go/C agents, kafkajs) is compressed with one of these.
 */
export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** A producer's `compression` option, checked where it enters (it may come from configuration). */
export function checkCompression(compression: unknown): Compression | undefined {
  if (compression === undefined || (COMPRESSIONS as readonly unknown[]).includes(compression))
    return compression as Compression | undefined;
  throw new ConfigError(
    [`compression must be one of ${COMPRESSIONS.join(', ')}, got ${JSON.stringify(compression)}`],
    'producer options',
  );
}

/** The codec kafkajs should apply when writing; `undefined` for none. */
export function kafkajsCompression(compression: Compression | undefined): CompressionTypes | undefined {
  switch (compression) {
    case undefined:
    case 'none':
      return undefined;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'snappy':
      return CompressionTypes.Snappy;
    case 'lz4':
      return CompressionTypes.LZ4;
    case 'zstd':
      return CompressionTypes.ZSTD;
  }
}

/** What kafkajs calls to compress (the batch's encoder) and decompress (a record batch's payload). */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** Loads a module once, on first use: a consumer that never meets a codec never loads its binary. */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

// lz4-napi and snappy are napi-rs bindings: their binaries come prebuilt in per-platform npm packages
// (optionalDependencies), nothing is compiled or downloaded at install or run time.
const lz4 = lazy(() => import('lz4-napi'));
const snappy = lazy(() => import('snappy'));
const fzstd = lazy(() => import('fzstd'));
const zstdWasm = lazy(async () => (await import('@hpcc-js/wasm-zstd')).Zstd.load());

/**
 * LZ4 as Kafka writes it since message format v1 (KIP-57): the standard LZ4 frame format. lz4-napi
 * writes independent blocks without checksums, which every client reads (the Java client's reader
 * wants independent blocks).
 */
const LZ4: Codec = {
  async compress(encoder) {
    return (await lz4()).compressFrame(encoder.buffer);
  },
  async decompress(buffer) {
    return (await lz4()).decompressFrame(buffer);
  },
};

/**
 * snappy-java's stream format, which the Java client writes (librdkafka writes raw snappy): a magic
 * header, two version ints, then blocks of [int32 compressed length][raw snappy block].
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_LENGTH = 16;
/** snappy-java's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function isXerial(buffer: Buffer): boolean {
  return (
    buffer.length >= XERIAL_HEADER_LENGTH && buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
  );
}

/**
 * Snappy in both framings: raw (librdkafka, kafkajs-snappy) and xerial (the Java client). Writes
 * xerial, like the Java client: every client reads it, including old Java consumers.
 */
const SNAPPY: Codec = {
  async compress(encoder) {
    const { compress } = await snappy();
    const input = encoder.buffer;
    const header = Buffer.alloc(XERIAL_HEADER_LENGTH);
    XERIAL_MAGIC.copy(header);
    header.writeInt32BE(1, 8); // version
    header.writeInt32BE(1, 12); // minimum compatible version
    const parts: Buffer[] = [header];
    for (let offset = 0; offset < input.length; offset += XERIAL_BLOCK_SIZE) {
      const block = await compress(input.subarray(offset, offset + XERIAL_BLOCK_SIZE));
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      parts.push(length, block);
    }
    return Buffer.concat(parts);
  },
  async decompress(buffer) {
    const { uncompress } = await snappy();
    if (!isXerial(buffer)) return (await uncompress(buffer, { asBuffer: true })) as Buffer;
    const parts: Buffer[] = [];
    let offset = XERIAL_HEADER_LENGTH;
    while (offset < buffer.length) {
      if (offset + 4 > buffer.length) throw new Error('snappy (xerial): truncated block length');
      const length = buffer.readInt32BE(offset);
      offset += 4;
      if (length < 0 || offset + length > buffer.length)
        throw new Error(`snappy (xerial): block of ${length} bytes runs past the end of the batch`);
      parts.push((await uncompress(buffer.subarray(offset, offset + length), { asBuffer: true })) as Buffer);
      offset += length;
    }
    return Buffer.concat(parts);
  },
};

/**
 * Zstandard. Reading: fzstd (pure JavaScript), which also reads frames that do not state their
 * size, as the Java client's streaming writer makes them. Writing: the zstd library itself, as
 * WebAssembly (@hpcc-js/wasm-zstd; no native build), at its default level 3.
 */
const ZSTD: Codec = {
  async compress(encoder) {
    const compressed = (await zstdWasm()).compress(encoder.buffer);
    return Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  },
  async decompress(buffer) {
    const out = (await fzstd()).decompress(buffer);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  },
};

let registered = false;

/**
 * Teaches kafkajs the codecs it lacks (it knows gzip only, and its consumer crashes for good on the
 * first snappy, lz4 or zstd batch). Idempotent; client.ts calls it when it is loaded, so before any
 * consumer of this package fetches.
 */
export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = () => SNAPPY;
  CompressionCodecs[CompressionTypes.LZ4] = () => LZ4;
  CompressionCodecs[CompressionTypes.ZSTD] = () => ZSTD;
}
