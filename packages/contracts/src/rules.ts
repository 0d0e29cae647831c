import type { DescMessage, Message } from '@bufbuild/protobuf';
import { STATUS } from './protocol.js';
import type { MessageName } from './registry.js';

/**
 * What a message must carry to mean anything, per message, by proto field name, and how big it may
 * be. The orchestrator checks these where messages enter; a message that breaks one goes to the
 * dead-letter topic (`invalid`, or `too_large` for the size limits), with the field named.
 * docs/protocol.md lists the same rules.
 */
export type FieldRule =
  | { field: string; required: true }
  | { field: string; oneOf: readonly string[] }
  | { field: string; maxBytes: number }
  /** A number field (when present) at most this. */
  | { field: string; max: number };

/** Every text field: an id, a sha, a name. Longer ones are someone's mistake or an attack. */
export const MAX_FIELD_BYTES = 1024;
/** A change request's description: words for the agents, not a file. */
export const MAX_DESCRIPTION_BYTES = 64 * 1024;
/** Every list (a plan's tasks): one transaction carries a request's whole state. */
export const MAX_LIST_ITEMS = 1000;

export const MESSAGE_RULES: { readonly [N in MessageName]?: readonly FieldRule[] } = {
  ChangeRequest: [
    { field: 'id', required: true },
    { field: 'repo', required: true },
    { field: 'description', maxBytes: MAX_DESCRIPTION_BYTES },
  ],
  CommitResult: [
    { field: 'task_id', required: true },
    { field: 'status', oneOf: [STATUS.success, STATUS.failed] },
  ],
  BuildReport: [{ field: 'status', oneOf: [STATUS.passed, STATUS.failed] }],
  GeneratedTests: [{ field: 'precheck', oneOf: [STATUS.passed, STATUS.failed] }],
  AgentProgress: [
    { field: 'request_id', required: true },
    { field: 'percent', max: 100 },
  ],
  AgentCancel: [{ field: 'request_id', required: true }],
  ControlCommand: [{ field: 'request_id', required: true }],
};

export interface RuleViolation {
  reason: 'invalid' | 'too_large';
  /** `<Message>.<field> …`: what is wrong and what is allowed. */
  detail: string;
}

const utf8 = new TextEncoder();

/**
 * The first rule a message breaks, or undefined when it keeps them all. Besides its own rules, every
 * text field is at most MAX_FIELD_BYTES (unless a rule allows more) and every list at most
 * MAX_LIST_ITEMS items of at most MAX_FIELD_BYTES.
 */
export function ruleViolation(schema: DescMessage, message: Message): RuleViolation | undefined {
  const shortName = schema.typeName.replace(/^core\./, '') as MessageName;
  const rules = MESSAGE_RULES[shortName] ?? [];
  const values = message as unknown as Record<string, unknown>;
  for (const rule of rules) {
    const field = schema.fields.find((f) => f.name === rule.field);
    if (!field) throw new Error(`rule for ${schema.typeName}.${rule.field}: no such field`);
    const value = values[field.localName];
    const text = typeof value === 'string' ? value : '';
    const where = `${shortName}.${rule.field}`;
    if ('required' in rule && text === '') return invalid(`${where} is empty`);
    if ('max' in rule && typeof value === 'number' && value > rule.max) {
      return invalid(`${where} is ${value}, at most ${rule.max}`);
    }
    if ('oneOf' in rule && !rule.oneOf.includes(text)) {
      return invalid(
        `${where} is ${text === '' ? 'empty' : `"${text}"`}, not one of ${rule.oneOf.join(', ')}`,
      );
    }
  }
  for (const field of schema.fields) {
    const where = `${shortName}.${field.name}`;
    const value = values[field.localName];
    const allowed = rules.find((r) => r.field === field.name && 'maxBytes' in r);
    const maxBytes = allowed && 'maxBytes' in allowed ? allowed.maxBytes : MAX_FIELD_BYTES;
    if (typeof value === 'string' && utf8.encode(value).length > maxBytes) {
      return tooLarge(`${where} has ${utf8.encode(value).length} bytes, at most ${maxBytes}`);
    }
    if (Array.isArray(value)) {
      if (value.length > MAX_LIST_ITEMS)
        return tooLarge(`${where} has ${value.length} items, at most ${MAX_LIST_ITEMS}`);
      const long = value.findIndex(
        (item) => typeof item === 'string' && utf8.encode(item).length > MAX_FIELD_BYTES,
      );
      if (long >= 0) return tooLarge(`${where}[${long}] has more than ${MAX_FIELD_BYTES} bytes`);
    }
  }
  return undefined;
}

function invalid(detail: string): RuleViolation {
  return { reason: 'invalid', detail };
}

function tooLarge(detail: string): RuleViolation {
  return { reason: 'too_large', detail };
}
