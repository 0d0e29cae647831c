#!/usr/bin/env node
// Fails when regenerating the protobuf code from proto/ would change what is committed under
// packages/contracts/src/gen: someone edited the proto without running `pnpm generate`, or edited
// generated code by hand.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'packages/contracts/src/gen');
const scratch = mkdtempSync(join(tmpdir(), 'pipeline-gen-'));
try {
  // Same template, output redirected to a scratch folder, so the work tree is never touched.
  const template = readFileSync(join(root, 'buf.gen.yaml'), 'utf8').replace(
    'out: packages/contracts/src/gen',
    `out: ${scratch}`,
  );
  const templateFile = join(scratch, 'buf.gen.yaml');
  writeFileSync(templateFile, template);
  execFileSync('pnpm', ['exec', 'buf', 'generate', '--template', templateFile], {
    cwd: root,
    stdio: 'inherit',
  });
  const fresh = listFiles(scratch).filter((f) => f !== 'buf.gen.yaml');
  const old = listFiles(committed);
  const diffs = [];
  for (const file of new Set([...fresh, ...old])) {
    const a = safeRead(join(committed, file));
    const b = safeRead(join(scratch, file));
    if (a !== b)
      diffs.push(a === undefined ? `new: ${file}` : b === undefined ? `stale: ${file}` : `changed: ${file}`);
  }
  if (diffs.length > 0) {
    console.error(
      `generated code is out of date (${diffs.join(', ')}); run \`pnpm generate\` and commit the result`,
    );
    process.exit(1);
  }
  console.log(`generated code is up to date (${fresh.length} files)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
