import { type DeadLetterReason, PlanSchema } from '@pipeline/contracts';
import { type OutboundRecord, partitionFor } from '@pipeline/kafka';
import { CONTROL, CRQ, ORCHESTRATOR_INPUTS, type OrchestratorInput, PLAN, PROGRESS } from '@pipeline/topics';
import {
  bytes,
  foreign,
  garbage,
  headerless,
  type Made,
  missingFields,
  notUtf8,
  oversized,
  own,
  REPLIES,
  raw,
  stale,
} from './bad-messages.js';

export { NEAR_LIMIT } from './bad-messages.js';
// The bad records of the poison flood (issue 10, "Done when"): every kind the findings 2, 3, 8
// and 15 name, on every input topic. Each must end on the dead-letter topic exactly once, whatever
// stage the live request it may be keyed by is in; kinds whose bytes are indistinguishable from a
// valid message (a headerless ChangeRequest that decodes as a complete Plan) are left out, since no
// orchestrator can refuse them.

/** The header that marks a bad record; the dead letter keeps it (but for truncated copies: the key). */
export const MARK = 'x-bench-bad';

export interface BadContext {
  run: string;
  partitions: number;
  /** A valid request of the bench already sent (its ChangeRequest precedes this record on its partition). */
  liveId: () => string;
}

export interface Bad {
  n: number;
  kind: string;
  topic: OrchestratorInput;
  record: OutboundRecord;
  /** The reasons its dead letter may carry (stale replies to live requests depend on their stage). */
  expect: readonly DeadLetterReason[];
  /** An id no valid request has, named in its key or payload: GET /requests must answer 404 for it. */
  unknownId?: string;
}

interface Kind {
  name: string;
  topics: readonly OrchestratorInput[];
  make: (topic: OrchestratorInput, id: string, ctx: BadContext, n: number) => Made;
}

const ALL = ORCHESTRATOR_INPUTS;
const undecodable: readonly DeadLetterReason[] = ['undecodable'];
const KINDS: readonly Kind[] = [
  {
    name: 'random bytes, keyed',
    topics: ALL,
    make: (t, id) => ({ record: raw(t, garbage(64), id), expect: undecodable, unknownId: id }),
  },
  {
    name: 'random bytes, keyless',
    topics: ALL,
    make: (t) => ({ record: raw(t, garbage(64)), expect: undecodable }),
  },
  {
    name: 'tombstone (null value)',
    topics: ALL,
    make: (t, id) => ({ record: raw(t, null, id), expect: undecodable, unknownId: id }),
  },
  {
    name: 'empty value, unknown key',
    topics: ALL,
    make: (t, id) => ({
      record: raw(t, Buffer.alloc(0), id),
      expect: ['invalid', 'unknown_request'],
      unknownId: id,
    }),
  },
  {
    name: 'another type, keyless',
    topics: ALL,
    make: (t, id, _, n) => ({ record: foreign(t, id, n), expect: ['wrong_type'], unknownId: id }),
  },
  {
    name: 'another type, keyed by a live request',
    topics: ALL,
    make: (t, _, ctx, n) => {
      const live = ctx.liveId();
      return { record: foreign(t, live, n, live), expect: ['wrong_type'] };
    },
  },
  { name: 'another type without header', topics: ALL, make: (t, id, ctx) => headerless(t, id, ctx.liveId()) },
  {
    name: 'wrong x-message-type',
    topics: ALL,
    make: (t, id) => {
      const r = own(t, id, id);
      r.headers['x-message-type'] = 'core.Nonsense';
      return { record: r, expect: ['wrong_type'], unknownId: id };
    },
  },
  { name: 'required field missing', topics: ALL, make: (t, id) => missingFields(t, id) },
  {
    name: 'non-UTF-8 key, random bytes',
    topics: ALL,
    // The key is refused before the value is read: request ids are text.
    make: (t, id) => ({ record: raw(t, garbage(32), notUtf8(id)), expect: ['invalid'] }),
  },
  {
    name: 'non-UTF-8 key, a message',
    topics: ALL,
    make: (t, id) => ({
      record: { ...(t === PLAN ? raw(PLAN, bytes(PlanSchema, { id })) : own(t, id)), key: notUtf8(id) },
      expect: ['invalid'],
    }),
  },
  {
    name: 'non-UTF-8 headers',
    topics: ALL,
    make: (t, id) => {
      const r = t === CRQ ? missingFields(CRQ, id).record : own(t, id, id);
      r.headers['x-bench-junk'] = Buffer.from([0xc3, 0x28, 0xa0, 0xa1]);
      r.headers.traceparent = notUtf8(id);
      return { record: r, expect: ['invalid', 'unknown_request'], unknownId: id };
    },
  },
  {
    name: 'non-UTF-8 x-message-type',
    topics: ALL,
    make: (t, id) => {
      const r = own(t, id, id);
      r.headers['x-message-type'] = notUtf8('core.ChangeRequest');
      return { record: r, expect: ['wrong_type'], unknownId: id };
    },
  },
  {
    name: 'reply for an unknown request, keyed',
    topics: REPLIES,
    make: (t, id) => ({ record: own(t, id, id), expect: ['unknown_request'], unknownId: id }),
  },
  {
    name: 'reply for an unknown request, keyless',
    topics: REPLIES,
    make: (t, id) => ({ record: own(t, id), expect: ['uncorrelated', 'unknown_request'], unknownId: id }),
  },
  {
    name: 'stale reply or duplicate, keyed by a live request',
    topics: ALL.filter((t) => t !== PLAN && t !== PROGRESS && t !== CONTROL),
    make: (t, _, ctx) => {
      if (t === PLAN || t === PROGRESS || t === CONTROL)
        throw new Error(`a ${t} record keyed by a live request may apply`);
      return stale(t, ctx.liveId());
    },
  },
  {
    name: 'reply on the wrong partition',
    topics: REPLIES,
    make: (t, id, ctx) => ({
      record: { ...own(t, id, id), partition: (partitionFor(id, ctx.partitions) + 1) % ctx.partitions },
      expect: ['unknown_request'],
      unknownId: id,
    }),
  },
];
const OVERSIZED: Kind = {
  name: 'oversized (near max.message.bytes)',
  topics: ALL,
  make: (t, id) => oversized(t, id),
};

/** Which kind and topic each of `count` bad records is: every cell in turn, `big` oversized ones spread evenly. */
export function layout(count: number, big: number): Array<{ kind: Kind; topic: OrchestratorInput }> {
  const cells = KINDS.flatMap((kind) => kind.topics.map((topic) => ({ kind, topic })));
  const bigAt = new Set(
    Array.from({ length: Math.min(big, count) }, (_, i) => Math.floor(((i + 0.5) * count) / big)),
  );
  let small = 0;
  let large = 0;
  return Array.from({ length: count }, (_, n) =>
    bigAt.has(n)
      ? { kind: OVERSIZED, topic: ALL[large++ % ALL.length] as OrchestratorInput }
      : (cells[small++ % cells.length] as { kind: Kind; topic: OrchestratorInput }),
  );
}

/** Makes bad record `n`, marked: header MARK = n, and ids `bad-<run>-<n>` (the key of truncated copies). */
export function makeBad(n: number, cell: { kind: Kind; topic: OrchestratorInput }, ctx: BadContext): Bad {
  const id = `bad-${ctx.run}-${n}`;
  const made = cell.kind.make(cell.topic, id, ctx, n);
  // The figures are per kind and topic: a maker that writes elsewhere would mislabel them.
  if (made.record.topic !== cell.topic)
    throw new Error(`${cell.kind.name} for ${cell.topic} made a record for ${made.record.topic}`);
  made.record.headers = { ...made.record.headers, [MARK]: String(n) };
  return { n, kind: cell.kind.name, topic: cell.topic, ...made };
}
