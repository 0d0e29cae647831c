// What the state directory needs of a finished request's StateRecord, read without decoding the rest.
//
// Why: a cold start or a takeover reads a partition's whole history, almost all of it finished
// requests, and the directory keeps of each only its stage, repo, requester and times beside the
// bytes. A full decode (state-wire.ts) builds the history, tasks and decisions only to drop them: it
// was about half of the CPU a cold read spends per record. Here the fields that are not needed are
// skipped by their length. Anything this cannot vouch for (JSON, another version, an unfinished
// request, bytes it cannot walk) is left to the full decode (decodeState), which judges it.

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { STATE_RECORD_VERSION } from '@pipeline/contracts';
import { isFinalStage, isStage, type Stage } from '@pipeline/state-machine';

export interface FinishedSummary {
  requestId: string;
  stage: Stage;
  repo: string;
  requester: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * The summary of a finished request's state value (a StateRecord of this version, stage done or
 * regress); undefined for anything else, which the full decode must judge.
 */
export function finishedSummary(value: Uint8Array): FinishedSummary | undefined {
  // A JSON value (version 1) starts with '{'; a StateRecord starts with field 1 (the version).
  if (value.length === 0 || value[0] === 0x7b) return undefined;
  try {
    const r = new BinaryReader(value);
    let version = 0;
    const summary: FinishedSummary = {
      requestId: '',
      stage: '' as Stage,
      repo: '',
      requester: '',
      createdAt: 0,
      updatedAt: 0,
    };
    while (r.pos < value.length) {
      const [field, type] = r.tag();
      if (field === 1 && type === WireType.Varint) version = r.uint32();
      else if (field === 2 && type === WireType.LengthDelimited) summary.requestId = r.string();
      else if (field === 3 && type === WireType.LengthDelimited) {
        const end = r.uint32() + r.pos;
        while (r.pos < end) {
          const [f, t] = r.tag();
          if (f === 1 && t === WireType.LengthDelimited) summary.requester = r.string();
          else if (f === 2 && t === WireType.LengthDelimited) summary.repo = r.string();
          else r.skip(t, f);
        }
      } else if (field === 4 && type === WireType.LengthDelimited) summary.stage = r.string() as Stage;
      else if (field === 21 && type === WireType.Varint) summary.createdAt = Number(r.int64());
      else if (field === 22 && type === WireType.Varint) summary.updatedAt = Number(r.int64());
      else r.skip(type, field);
    }
    if (r.pos !== value.length) return undefined;
    if (version !== STATE_RECORD_VERSION || summary.requestId === '') return undefined;
    if (!isStage(summary.stage) || !isFinalStage(summary.stage)) return undefined;
    return summary;
  } catch {
    return undefined;
  }
}
