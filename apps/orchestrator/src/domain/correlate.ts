import type { OrchestratorInput, TopicMessage } from '@pipeline/topics';
import { BREPORT, CONTROL, CRES, CRQ, GTRES, PLAN, PROGRESS, TSPEC } from '@pipeline/topics';
import { type AliasKind, alias } from './request-record.js';

/** A decoded message on one of the orchestrator's input topics. */
export type Inbound = { [T in OrchestratorInput]: { topic: T; message: TopicMessage<T> } }[OrchestratorInput];

/**
 * The requests an alias (`task:<id>`, `commit:<sha>`, …) belongs to; empty when none; undefined when
 * this instance cannot say (the alias's partition of the alias index is another instance's).
 */
export type AliasLookup = (alias: string) => readonly string[] | undefined;

export type Correlation =
  | { ok: true; requestId: string; via: 'key' | 'payload' | AliasKind }
  | { ok: false; reason: 'uncorrelated' | 'invalid' | 'ambiguous'; detail: string }
  /**
   * Only the owner of `alias`'s partition can say: the message goes there. `missed` are the aliases
   * tried before it that belong to no request here (the caller makes sure they are final first).
   */
  | { ok: false; reason: 'elsewhere'; alias: string; missed: string[] };

/**
 * Which change request a message belongs to. The key is the request id by protocol; agents built
 * on the reference stubs send no key, so the payload is used: ChangeRequest.id and
 * Plan.parent_request_id name the request, other messages name an id the request already knows.
 */
export function correlate(
  inbound: Inbound,
  key: string | undefined,
  lookup: AliasLookup,
  /** Aliases found to belong to no request by the owners of their partitions (hops before this one). */
  tried: readonly string[] = [],
): Correlation {
  // A payload that names another request than the key: one of the two is wrong, so neither counts.
  if (inbound.topic === CRQ && key && inbound.message.id && key !== inbound.message.id) {
    return invalid(`ChangeRequest.id ${inbound.message.id} does not match the key ${key}`);
  }
  const parent = inbound.topic === PLAN ? inbound.message.parentRequestId : '';
  if (key && parent && key !== parent)
    return invalid(`Plan.parent_request_id ${parent} does not match the key ${key}`);
  const named = inbound.topic === PROGRESS || inbound.topic === CONTROL ? inbound.message.requestId : '';
  if (key && named && key !== named) {
    const type = inbound.message.$typeName.replace(/^core\./, '');
    return invalid(`${type}.request_id ${named} does not match the key ${key}`);
  }
  if (key) return { ok: true, requestId: key, via: 'key' };
  switch (inbound.topic) {
    case CRQ:
      return inbound.message.id ? found(inbound.message.id, 'payload') : missing('ChangeRequest has no id');
    case PLAN:
      return inbound.message.parentRequestId
        ? found(inbound.message.parentRequestId, 'payload')
        : byAlias(lookup, tried, [['plan', inbound.message.id]]);
    case CRES:
      return byAlias(lookup, tried, [
        ['task', inbound.message.taskId],
        ['commit', inbound.message.commitSha],
      ]);
    case BREPORT:
      return byAlias(lookup, tried, [
        ['build', inbound.message.buildId],
        ['commit', inbound.message.commitSha],
      ]);
    case TSPEC:
      return byAlias(lookup, tried, [['commit', inbound.message.parentCommitSha]]);
    case GTRES:
      return byAlias(lookup, tried, [
        ['spec', inbound.message.specId],
        ['commit', inbound.message.commitSha],
      ]);
    case PROGRESS:
    case CONTROL:
      return found(inbound.message.requestId, 'payload');
  }
}

function found(requestId: string, via: 'payload' | AliasKind): Correlation {
  return { ok: true, requestId, via };
}

function missing(detail: string): Correlation {
  return { ok: false, reason: 'uncorrelated', detail };
}

function invalid(detail: string): Correlation {
  return { ok: false, reason: 'invalid', detail };
}

function byAlias(
  lookup: AliasLookup,
  triedBefore: readonly string[],
  candidates: Array<[AliasKind, string]>,
): Correlation {
  const tried: string[] = [...triedBefore];
  const missed: string[] = [];
  for (const [kind, id] of candidates) {
    if (!id) continue;
    const name = alias(kind, id);
    if (triedBefore.includes(name)) continue;
    const known = lookup(name);
    if (known === undefined) return { ok: false, reason: 'elsewhere', alias: name, missed };
    const owners = [...new Set(known)].sort();
    if (owners.length === 1) return found(owners[0] as string, kind);
    if (owners.length > 1) {
      return {
        ok: false,
        reason: 'ambiguous',
        detail: `no key, and ${name} belongs to several requests: ${owners.join(', ')}`,
      };
    }
    tried.push(name);
    missed.push(name);
  }
  return missing(
    tried.length === 0
      ? 'no key and no id in the payload'
      : `no key, and no request knows ${tried.join(' or ')}`,
  );
}
