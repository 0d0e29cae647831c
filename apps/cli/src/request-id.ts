import { randomUUID } from 'node:crypto';

/**
 * Where the stub agents (apps/mock-agents) fail a request on purpose: a request id containing
 * `fail-<target>` fails there. Real agents ignore the marker; it only means something to the stubs.
 */
export const FAIL_TARGETS = ['coder', 'build1', 'precheck', 'build2'] as const;
export type FailTarget = (typeof FAIL_TARGETS)[number];

export function isFailTarget(value: string): value is FailTarget {
  return (FAIL_TARGETS as readonly string[]).includes(value);
}

/** A fresh change request id: `cr-<uuid>`. */
export function newRequestId(): string {
  return `cr-${randomUUID()}`;
}

/**
 * The id to submit: the given one (or a new `cr-<uuid>`), with `-fail-<target>` appended when a
 * failure is asked for, unless the id already carries that marker.
 */
export function buildRequestId(options: { id?: string | undefined; fail?: FailTarget | undefined }): string {
  const base = options.id ?? newRequestId();
  if (!options.fail) return base;
  const marker = `fail-${options.fail}`;
  return new RegExp(`(^|[^a-z0-9])${marker}(?![a-z0-9])`).test(base) ? base : `${base}-${marker}`;
}
