// Regenerates docs/state-machine.md from the machine definition. Run from the built package
// (`pnpm --filter @pipeline/state-machine diagram`) so it needs nothing beyond node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOC_PATH_FROM_PACKAGE, renderStateMachineDoc } from '../doc.js';

// This file runs as dist/cli/write-diagram.js: the package directory is two levels up.
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const docPath = resolve(packageDir, DOC_PATH_FROM_PACKAGE);

mkdirSync(dirname(docPath), { recursive: true });
writeFileSync(docPath, renderStateMachineDoc());
console.log(`wrote ${docPath}`);
