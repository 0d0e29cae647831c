import { formatDuration } from '@pipeline/cli-kit';
import { STAGES } from '@pipeline/state-machine';

/**
 * Rows of the live view, in pipeline order: the machine's stages, with `waiting` (submitted, not seen
 * by the orchestrator yet) instead of `idle`, which a request leaves as soon as it is seen.
 */
export const PROGRESS_ROWS = ['waiting', ...STAGES.filter((stage) => stage !== 'idle')] as const;

export interface ProgressState {
  total: number;
  /** Requests per stage (see PROGRESS_ROWS); missing = 0. */
  counts: Partial<Record<string, number>>;
  elapsedMs: number;
}

export function finishedCount(state: ProgressState): number {
  return (state.counts.done ?? 0) + (state.counts.regress ?? 0);
}

/** `[██████░░░░]` of `done` out of `total`. */
export function bar(done: number, total: number, width: number): string {
  const filled = total <= 0 ? width : Math.round((Math.min(done, total) / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** The live view for a terminal: one line per stage with its count, then the progress bar. */
export function renderProgressFrame(state: ProgressState, barWidth = 30): string {
  const label = Math.max(...PROGRESS_ROWS.map((r) => r.length));
  const countWidth = String(state.total).length;
  const lines = PROGRESS_ROWS.map((row) => {
    const n = state.counts[row] ?? 0;
    const blocks = state.total > 0 ? Math.round((n / state.total) * barWidth) : 0;
    const mark = n > 0 ? '█'.repeat(Math.max(1, blocks)) : '';
    return `  ${row.padEnd(label)}  ${String(n).padStart(countWidth)}  ${mark}`.trimEnd();
  });
  const finished = finishedCount(state);
  const percent = state.total > 0 ? Math.floor((finished / state.total) * 100) : 100;
  lines.push(
    `  ${bar(finished, state.total, barWidth)} ${finished}/${state.total} final (${percent}%)  ${formatDuration(state.elapsedMs)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** One line for logs and CI: `[  3.0s] 5/8 final · done 3 · regress 2 · plan_phase 1 · build1 2`. */
export function renderProgressLine(state: ProgressState): string {
  const parts = PROGRESS_ROWS.filter((row) => (state.counts[row] ?? 0) > 0).map(
    (row) => `${row} ${state.counts[row]}`,
  );
  const time = formatDuration(state.elapsedMs).padStart(6);
  return `[${time}] ${finishedCount(state)}/${state.total} final${parts.length > 0 ? ` · ${parts.join(' · ')}` : ''}\n`;
}

/**
 * Redraws a block of lines in place on a terminal: moves the cursor up over the previous frame
 * and clears to the end of the screen before writing the next one (plain ANSI, no library).
 */
export class LiveRegion {
  private lines = 0;

  constructor(private readonly write: (text: string) => void) {}

  update(frame: string): void {
    const up = this.lines > 0 ? `\x1b[${this.lines}A\r\x1b[J` : '';
    this.write(`${up}${frame}`);
    this.lines = frame.split('\n').length - (frame.endsWith('\n') ? 1 : 0);
  }

  /** Keeps the last frame on screen; the next output starts below it. */
  done(): void {
    this.lines = 0;
  }
}
