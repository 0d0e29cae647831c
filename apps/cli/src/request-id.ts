import { randomUUID } from 'node:crypto';
import { type FailingTarget, withFailureMarker } from '@pipeline/failure-markers';

/** A fresh change request id: `cr-<uuid>`. */
export function newRequestId(): string {
  return `cr-${randomUUID()}`;
}

/**
 * The id to submit: the given one (or a new `cr-<uuid>`), with `-fail-<target>` appended when a
 * failure is asked for, unless the id already carries that marker.
 */
export function buildRequestId(options: {
  id?: string | undefined;
  fail?: FailingTarget | undefined;
}): string {
  const base = options.id ?? newRequestId();
  return options.fail ? withFailureMarker(base, options.fail) : base;
}
