import type { DescMessage, Message } from '@bufbuild/protobuf';
import { STATUS } from './protocol.js';
import type { MessageName } from './registry.js';

/**
 * What a reply must carry to mean anything, per message, by proto field name. The orchestrator
 * checks these where messages enter; a message that breaks one goes to the dead-letter topic as
 * `invalid`, with the field named. docs/protocol.md lists the same rules.
 */
export type FieldRule = { field: string; required: true } | { field: string; oneOf: readonly string[] };

export const MESSAGE_RULES: { readonly [N in MessageName]?: readonly FieldRule[] } = {
  ChangeRequest: [
    { field: 'id', required: true },
    { field: 'repo', required: true },
  ],
  CommitResult: [
    { field: 'task_id', required: true },
    { field: 'status', oneOf: [STATUS.success, STATUS.failed] },
  ],
  BuildReport: [{ field: 'status', oneOf: [STATUS.passed, STATUS.failed] }],
  GeneratedTests: [{ field: 'precheck', oneOf: [STATUS.passed, STATUS.failed] }],
};

/** The first rule a message breaks, as `<Message>.<field> …`, or undefined when it keeps them all. */
export function ruleViolation(schema: DescMessage, message: Message): string | undefined {
  const shortName = schema.typeName.replace(/^core\./, '') as MessageName;
  for (const rule of MESSAGE_RULES[shortName] ?? []) {
    const field = schema.fields.find((f) => f.name === rule.field);
    if (!field) throw new Error(`rule for ${schema.typeName}.${rule.field}: no such field`);
    const value = (message as unknown as Record<string, unknown>)[field.localName];
    const text = typeof value === 'string' ? value : '';
    const where = `${shortName}.${rule.field}`;
    if ('required' in rule && text === '') return `${where} is empty`;
    if ('oneOf' in rule && !rule.oneOf.includes(text)) {
      return `${where} is ${text === '' ? 'empty' : `"${text}"`}, not one of ${rule.oneOf.join(', ')}`;
    }
  }
  return undefined;
}
