import { entryCommands, STAGE_TRANSITIONS } from './definition.js';
import { toMermaid } from './diagram.js';
import { isFinalStage, STAGES, type Stage } from './stages.js';

/** Where the generated document lives, relative to this package's directory. */
export const DOC_PATH_FROM_PACKAGE = '../../docs/state-machine.md';

/** The command that regenerates the document; quoted in the document and in the test that guards it. */
export const REGENERATE_COMMAND = 'pnpm --filter @pipeline/state-machine diagram';

function code(text: string): string {
  return `\`${text}\``;
}

function entryCell(stage: Stage): string {
  const commands = entryCommands(stage).map(({ type, params }) =>
    code(params === undefined ? type : `${type} ${JSON.stringify(params)}`),
  );
  return commands.length === 0 ? '—' : commands.join(', ');
}

function acceptsCell(stage: Stage): string {
  if (isFinalStage(stage)) return 'nothing (final)';
  return STAGE_TRANSITIONS.filter((t) => t.from === stage)
    .map((t) => `${code(t.event)} → ${code(t.to)}`)
    .join(', ');
}

/** The whole of docs/state-machine.md, generated from the machine definition. */
export function renderStateMachineDoc(): string {
  const rows = STAGES.map((stage) => `| ${code(stage)} | ${entryCell(stage)} | ${acceptsCell(stage)} |`);
  return [
    '# Change-request state machine',
    '',
    `<!-- Generated from packages/state-machine/src/machine.ts by \`${REGENERATE_COMMAND}\`. Do not edit by hand: a test fails when this file and the machine disagree. -->`,
    '',
    'Every change request (CRQ) has its own instance of this machine (`@pipeline/state-machine`, xstate v5,',
    'id `change-request`). The orchestrator keeps one persisted snapshot per request and advances it with',
    'the pure `step(snapshot, event)` function, which returns the next snapshot and the commands to carry',
    'out (the entry actions of the stage entered) without executing anything. An event the current stage',
    'does not accept is reported as refused (`accepted: false`) and leaves the snapshot unchanged.',
    '',
    'Any failure the orchestrator sees (a failed task, a failed build, a missed deadline) is sent as',
    '`build_fail`, which every stage that is not final accepts; `gt_fail` (failed precheck of the generated',
    'tests) is accepted only in `test_build`. Both lead to `regress`, recording the failed stage and the',
    'reason for the regression ticket. `done` and `regress` are final and accept no event.',
    '',
    '```mermaid',
    toMermaid().trimEnd(),
    '```',
    '',
    '## Stages, entry commands and accepted events',
    '',
    '| Stage | Command on entry | Accepted events → next stage |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'On entering `regress` the command is `raiseRegression` with `failedStage`, `event` and `reason`',
    'taken from the recorded failure.',
    '',
  ].join('\n');
}
