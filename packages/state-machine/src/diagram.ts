import { INITIAL_STAGE, isFinalNode, STAGE_TRANSITIONS } from './definition.js';
import { STAGES } from './stages.js';

/**
 * A Mermaid `stateDiagram-v2` of the machine, generated from the machine definition itself so the
 * picture in the docs is exactly what runs. Order is fixed (stages, then events, in declaration
 * order of STAGES / EVENT_TYPES), so the output is byte-for-byte reproducible.
 */
export function toMermaid(): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${INITIAL_STAGE}`];
  for (const { from, event, to } of STAGE_TRANSITIONS) lines.push(`  ${from} --> ${to} : ${event}`);
  for (const stage of STAGES) if (isFinalNode(stage)) lines.push(`  ${stage} --> [*]`);
  return `${lines.join('\n')}\n`;
}
