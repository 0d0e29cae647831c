// The cluster as its brokers see it, without a Kafka client library: a Metadata request (api key 3,
// version 4) over a raw TCP socket, like the ApiVersions probe (probe.ts). It answers which brokers
// are registered (and unfenced) and, for every topic, each partition's leader, replicas and ISR.
//
// Why not Kafka's TopicCommand: it lives in the kafka-tools artifact, which is not on the broker's
// classpath in the jar cache (kafka_2.13 does not depend on it; `kafka.admin.TopicCommand` is gone since
// 3.6, `org.apache.kafka.tools.TopicCommand` is in kafka-tools), and adding it would change the cached
// pom every checkout shares. A JVM start would also cost seconds per `status`; this costs milliseconds.
// Version 4 is the oldest one Kafka 4.x still serves (KIP-896 removed Metadata v0-v3) and 3.x serves it
// too; it is the last version before the flexible encoding, so the layout below is plain.

import { randomInt } from 'node:crypto';
import { exchange } from './probe.js';

const METADATA = 3;
const METADATA_VERSION = 4;
const CLIENT_ID = 'pipeline-kafka-launcher';

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionInfo {
  partition: number;
  /** -1 when the partition has no leader (all its replicas in the ISR are down). */
  leader: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  internal: boolean;
  errorCode: number;
  partitions: PartitionInfo[];
}

export interface ClusterMetadata {
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: TopicInfo[];
}

export type MetadataResult = { ok: true; metadata: ClusterMetadata } | { ok: false; reason: string };

/** Request header v1 and a Metadata v4 body: every topic (null array), no auto-creation. */
export function metadataRequest(correlationId: number): Buffer {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = body.writeInt16BE(METADATA, 0);
  o = body.writeInt16BE(METADATA_VERSION, o);
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(-1, o); // topics: null = all topics
  body.writeInt8(0, o); // allow_auto_topic_creation
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** A cursor over a response; reading past the end throws. */
class Reader {
  private o = 0;
  constructor(private readonly buf: Buffer) {}
  int8 = (): number => this.take(1, (at) => this.buf.readInt8(at));
  int16 = (): number => this.take(2, (at) => this.buf.readInt16BE(at));
  int32 = (): number => this.take(4, (at) => this.buf.readInt32BE(at));
  string = (): string | null => {
    const length = this.int16();
    if (length < 0) return null;
    return this.take(length, (at) => this.buf.toString('utf8', at, at + length));
  };
  array = <T>(item: () => T): T[] => {
    const count = this.int32();
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(item());
    return items;
  };
  private take<T>(n: number, read: (at: number) => T): T {
    if (this.o + n > this.buf.length) throw new Error(`response ends at byte ${this.buf.length}`);
    const value = read(this.o);
    this.o += n;
    return value;
  }
}

/** Reads a complete Metadata v4 response (size-prefixed), or returns undefined while more bytes are needed. */
export function parseMetadataResponse(buf: Buffer, correlationId: number): MetadataResult | undefined {
  if (buf.length < 4) return undefined;
  const size = buf.readInt32BE(0);
  if (buf.length < 4 + size) return undefined;
  const r = new Reader(buf.subarray(4, 4 + size));
  const gotCorrelation = r.int32(); // response header v0
  if (gotCorrelation !== correlationId) {
    return { ok: false, reason: `correlation id ${gotCorrelation}, expected ${correlationId}` };
  }
  r.int32(); // throttle_time_ms
  const brokers = r.array(() => {
    const nodeId = r.int32();
    const host = r.string() ?? '';
    const port = r.int32();
    r.string(); // rack
    return { nodeId, host, port };
  });
  const clusterId = r.string();
  const controllerId = r.int32();
  const topics = r.array(() => {
    const errorCode = r.int16();
    const name = r.string() ?? '';
    const internal = r.int8() !== 0;
    const partitions = r.array(() => {
      const partitionError = r.int16();
      const partition = r.int32();
      const leader = r.int32();
      const replicas = r.array(r.int32);
      const isr = r.array(r.int32);
      return { partition, leader, replicas, isr, errorCode: partitionError };
    });
    return { name, internal, errorCode, partitions };
  });
  return { ok: true, metadata: { brokers, clusterId, controllerId, topics } };
}

/** Asks one broker for the metadata of the whole cluster; never rejects. */
export function fetchMetadata({
  host = '127.0.0.1',
  port,
  timeoutMs = 3000,
}: {
  host?: string;
  port: number;
  timeoutMs?: number;
}): Promise<MetadataResult> {
  const correlationId = randomInt(1, 2 ** 31 - 1);
  return exchange({
    host,
    port,
    timeoutMs,
    request: metadataRequest(correlationId),
    parse: (buf) => parseMetadataResponse(buf, correlationId),
    failure: (reason): MetadataResult => ({ ok: false, reason }),
  });
}
