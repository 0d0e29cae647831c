import { readStateValue } from '@pipeline/contracts';
import { carryProblem, isFinalStage, isStage, MACHINE_VERSION } from '@pipeline/state-machine';

/** What a replay found: the requests read, and those the current machine cannot carry, with why. */
export interface ReplayReport {
  read: number;
  inFlight: number;
  /** In-flight requests per machine version they started on ('unrecorded' before versions). */
  versions: Map<string, number>;
  stranded: Array<{ requestId: string; stage: string; why: string }>;
}

/**
 * Checks the latest state of every request (values of orchestrator.state, either version, in offset
 * order; a null value forgets the request) against the current stage machine: an unfinished request
 * it cannot resume is stranded. Pure: the caller reads the topic or the file.
 */
export function checkStates(values: Iterable<{ key: string; value: Uint8Array | null }>): ReplayReport {
  const latest = new Map<string, Uint8Array>();
  for (const { key, value } of values) {
    if (value === null) latest.delete(key);
    else latest.set(key, value);
  }
  const report: ReplayReport = { read: latest.size, inFlight: 0, versions: new Map(), stranded: [] };
  for (const [requestId, value] of latest) {
    const read = readStateValue(value);
    if (!read.ok) {
      report.stranded.push({ requestId, stage: '?', why: read.why });
      continue;
    }
    const { stage, machine, machineVersion } = read.summary;
    if (isStage(stage) && isFinalStage(stage)) continue;
    report.inFlight++;
    const version = machineVersion ?? 'unrecorded';
    report.versions.set(version, (report.versions.get(version) ?? 0) + 1);
    const why = carryProblem(machine);
    if (why) report.stranded.push({ requestId, stage: String(stage), why: `started on ${version}: ${why}` });
  }
  return report;
}

export function renderReport(report: ReplayReport): string {
  const versions = [...report.versions].map(([v, n]) => `${v}: ${n}`).join(', ') || 'none';
  const lines = [
    `${report.read} requests, ${report.inFlight} in flight (by the machine they started on: ${versions}); current machine ${MACHINE_VERSION}`,
  ];
  if (report.stranded.length === 0) lines.push('the current machine carries every request in flight');
  else {
    lines.push(`${report.stranded.length} request(s) the current machine cannot carry:`);
    for (const s of report.stranded) lines.push(`  ${s.requestId} (${s.stage}): ${s.why}`);
  }
  return `${lines.join('\n')}\n`;
}
