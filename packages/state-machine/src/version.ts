import { createHash } from 'node:crypto';
import { STAGE_TRANSITIONS } from './definition.js';
import { fromPersisted } from './persist.js';

/**
 * The version of the stage machine: a short hash of its transition table. A request records the
 * version it started on; a machine change that alters the table gets a new version, and what it can
 * still carry is decided by `carryProblem`, not by the version.
 */
export const MACHINE_VERSION: string = createHash('sha256')
  .update(JSON.stringify(STAGE_TRANSITIONS))
  .digest('hex')
  .slice(0, 12);

/**
 * Why the current machine cannot carry a stored snapshot (a stage it no longer has, a failure it could
 * not have recorded, a context it does not know), or undefined when it can resume it.
 */
export function carryProblem(persisted: unknown): string | undefined {
  try {
    fromPersisted(persisted);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
