import { randomBytes } from 'node:crypto';

/**
 * A name no other test of this or any earlier run uses, for topics, groups and transactional ids:
 * tests share one broker and must never see each other's data.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
