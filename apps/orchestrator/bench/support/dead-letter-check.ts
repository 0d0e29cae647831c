import { createHash } from 'node:crypto';
import { DEAD_LETTER_REASONS } from '@pipeline/contracts';
import { HEADERS, type RawHeaders } from '@pipeline/kafka';
import type { Seen } from '../../test/support/pipeline.js';
import { type Bad, MARK } from './bad-records.js';

/** What is kept of a bad record once sent: enough to recognise and compare its dead letter, not its bytes. */
export interface SentBad {
  kind: string;
  topic: string;
  expect: readonly string[];
  key: Buffer | null;
  headers: Array<[string, Buffer]>;
  valueBytes: number;
  valueSha: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const asBuffer = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v) : v);

export function remember(bad: Bad): SentBad {
  const value = bad.record.value ?? Buffer.alloc(0);
  const headers = Object.entries(bad.record.headers).flatMap(([name, v]) =>
    v === undefined || Array.isArray(v) ? [] : [[name, asBuffer(v)] as [string, Buffer]],
  );
  const key = bad.record.key === undefined ? null : asBuffer(bad.record.key);
  return {
    kind: bad.kind,
    topic: bad.topic,
    expect: bad.expect,
    key,
    headers,
    valueBytes: value.length,
    valueSha: sha256(value),
  };
}

function lastHeader(headers: RawHeaders, name: string): Buffer | undefined {
  const v = headers[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? undefined : asBuffer(last);
}

export interface DeadLetterReport {
  /** Bad records with no dead letter, and with more than one. */
  missing: number[];
  duplicated: number[];
  /** Dead letters that are no bad record's (a valid request's message refused?). */
  unmarked: Seen[];
  /** Letters without a known x-dlq-reason, or with one the kind does not explain. */
  withoutReason: number[];
  unexpected: string[];
  /** Letters that changed the bytes they copy (key, headers, value; size and sha256 of truncated ones). */
  changed: string[];
  /** How many letters changed bytes, by kind, and how many of those copy a forwarded record. */
  changedByKind: Map<string, { letters: number; forwarded: number }>;
  /** kind → reason → count. */
  reasons: Map<string, Map<string, number>>;
  truncated: number;
}

/** How many of the bad records have a dead letter: cheap, for polling (checkDeadLetters checks them). */
export function lettered(sent: ReadonlyMap<number, SentBad>, letters: readonly Seen[], run: string): number {
  const marks = new Set(letters.map((letter) => markOf(letter, run)));
  return [...marks].filter((n) => n !== undefined && sent.has(n)).length;
}

/** Which bad record a dead letter copies: its MARK header, or for a truncated copy its key. */
function markOf(letter: Seen, run: string): number | undefined {
  const mark = letter.headers[MARK] ?? new RegExp(`^bad-${run}-(\\d+)$`).exec(letter.key ?? '')?.[1];
  return mark === undefined ? undefined : Number(mark);
}

/** Matches every dead letter to the bad record it copies, and checks what it kept. */
export function checkDeadLetters(
  sent: ReadonlyMap<number, SentBad>,
  letters: readonly Seen[],
  run: string,
): DeadLetterReport {
  const report: DeadLetterReport = {
    missing: [],
    duplicated: [],
    unmarked: [],
    withoutReason: [],
    unexpected: [],
    changed: [],
    changedByKind: new Map(),
    reasons: new Map(),
    truncated: 0,
  };
  const count = new Map<number, number>();
  for (const letter of letters) {
    const n = markOf(letter, run);
    const bad = n === undefined ? undefined : sent.get(n);
    if (n === undefined || !bad) {
      report.unmarked.push(letter);
      continue;
    }
    count.set(n, (count.get(n) ?? 0) + 1);
    const reason = letter.headers[HEADERS.dlqReason] ?? '';
    const byReason = report.reasons.get(bad.kind) ?? new Map<string, number>();
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    report.reasons.set(bad.kind, byReason);
    if (!(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) report.withoutReason.push(n);
    else if (!bad.expect.includes(reason))
      report.unexpected.push(
        `#${n} ${bad.kind} on ${bad.topic}: ${reason} (${letter.headers[HEADERS.dlqError]}), read at partition ${letter.headers[HEADERS.dlqSourcePartition]} offset ${letter.headers[HEADERS.dlqSourceOffset]}`,
      );
    const changed = compare(bad, letter);
    const via = letter.headers[HEADERS.forwardedFrom];
    if (changed) {
      report.changed.push(
        `#${n} ${bad.kind} on ${bad.topic}${via ? ` (forwarded from ${via})` : ''}: ${changed}`,
      );
      const counts = report.changedByKind.get(bad.kind) ?? { letters: 0, forwarded: 0 };
      counts.letters++;
      if (via) counts.forwarded++;
      report.changedByKind.set(bad.kind, counts);
    }
    if (letter.headers[HEADERS.dlqOriginalBytes] !== undefined) report.truncated++;
  }
  for (const n of sent.keys()) {
    const c = count.get(n) ?? 0;
    if (c === 0) report.missing.push(n);
    if (c > 1) report.duplicated.push(n);
  }
  return report;
}

/** What a dead letter changed of the record it copies; undefined when it kept every byte. */
function compare(bad: SentBad, letter: Seen): string | undefined {
  const originalBytes = letter.headers[HEADERS.dlqOriginalBytes];
  if (originalBytes !== undefined) {
    // A truncated copy (too big to keep whole): the size and sha256 of the original value, the key.
    if (Number(originalBytes) !== bad.valueBytes)
      return `x-dlq-original-bytes ${originalBytes}, sent ${bad.valueBytes}`;
    if (letter.headers[HEADERS.dlqOriginalSha256] !== bad.valueSha) return 'x-dlq-original-sha256 differs';
    return undefined;
  }
  if (sha256(letter.value ?? Buffer.alloc(0)) !== bad.valueSha) return 'value bytes differ';
  const key = letter.rawKey;
  // A keyless reply handed to its request's partition was keyed by the orchestrator on the way (the
  // letter copies that forwarded record, x-forwarded-from naming the original): a key added, none changed.
  const forwarded = letter.headers[HEADERS.forwardedFrom] !== undefined;
  const keyKept = bad.key === null ? key === null || forwarded : key !== null && bad.key.equals(key);
  if (!keyKept) return `key ${key?.toString('hex') ?? 'null'}, sent ${bad.key?.toString('hex') ?? 'null'}`;
  for (const [name, bytes] of bad.headers) {
    const kept = lastHeader(letter.rawHeaders, name);
    if (!kept?.equals(bytes))
      return `header ${name} ${kept?.toString('hex') ?? 'missing'}, sent ${bytes.toString('hex')}`;
  }
  return undefined;
}
