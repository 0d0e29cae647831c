// One line per scenario (PASS/FAIL and its figures) and the JSON report under .chaos/.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Figures, ScenarioResult, Size } from './scenario.js';

const KEY_FIGURES = ['requests', 'finishMs', 'lost', 'duplicated', 'frozenPartitions', 'recoveryMs'];

function formatValue(key: string, value: number | string): string {
  if (typeof value === 'number' && key.endsWith('Ms')) return `${(value / 1000).toFixed(1)}s`;
  return String(value);
}

/** `PASS orchestrator-sigkill  requests=1000 finish=41.2s lost=0 duplicated=0 frozen=0 recovery=3.1s …`. */
export function formatLine(result: ScenarioResult): string {
  const keys = [
    ...KEY_FIGURES.filter((k) => k in result.figures),
    ...Object.keys(result.figures).filter((k) => !KEY_FIGURES.includes(k)),
  ];
  const figures = keys.map(
    (k) => `${k.replace(/Ms$/, '')}=${formatValue(k, (result.figures as Figures)[k] as number | string)}`,
  );
  return `${result.pass ? 'PASS' : 'FAIL'} ${result.name.padEnd(34)} ${figures.join(' ')}`;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  size: Size;
  commit: string | undefined;
  machine: { cpus: number; memoryGiB: number; node: string };
  cluster: { brokers: number; bootstrap: string };
  passed: number;
  failed: number;
  scenarios: ScenarioResult[];
}

export function buildReport(parts: Omit<Report, 'machine' | 'passed' | 'failed'>): Report {
  return {
    ...parts,
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    passed: parts.scenarios.filter((s) => s.pass).length,
    failed: parts.scenarios.filter((s) => !s.pass).length,
  };
}

/** Writes the report as `<dir>/report-<time>.json` and `<dir>/latest.json`; returns the first path. */
export function writeReport(dir: string, report: Report): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `report-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}
