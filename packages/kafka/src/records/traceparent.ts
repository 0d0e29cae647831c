import { randomBytes } from 'node:crypto';

// W3C Trace Context, level 1: version-traceid-parentid-flags, lower-case hex. Versions after 00 may
// append fields, which a reader must accept; version ff is invalid; all-zero ids are invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

export function isValidTraceparent(value: string | undefined | null): value is string {
  if (typeof value !== 'string') return false;
  const m = TRACEPARENT.exec(value);
  if (!m) return false;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff') return false;
  if (version === '00' && rest !== undefined) return false;
  return traceId !== ZERO_TRACE_ID && parentId !== ZERO_PARENT_ID;
}

/** A new trace, sampled. */
export function newTraceparent(): string {
  return `00-${nonZeroHex(16)}-${nonZeroHex(8)}-01`;
}

/**
 * A traceparent for work caused by `parent`: same trace id and flags, new parent id. Without a valid
 * parent, a new trace starts: a broken header upstream must not break tracing downstream.
 */
export function childTraceparent(parent?: string): string {
  if (!isValidTraceparent(parent)) return newTraceparent();
  const [, traceId, , flags] = parent.split('-');
  return `00-${traceId}-${nonZeroHex(8)}-${flags}`;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (/[^0]/.test(hex)) return hex;
  }
}
