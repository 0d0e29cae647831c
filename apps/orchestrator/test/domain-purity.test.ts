import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The orchestrator's decisions live in src/domain and must stay pure: given the same records and
// messages they decide the same, so a batch replayed after a crash is decided the same way. No
// client library, no I/O, no clock, no timers, no randomness: the runtime passes `now` in.
const dir = new URL('../src/domain/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const ALLOWED = new Set([
  '@bufbuild/protobuf',
  // The wire layer only (BinaryWriter, BinaryReader): bytes in, bytes out (state-wire.ts).
  '@bufbuild/protobuf/wire',
  '@pipeline/contracts',
  '@pipeline/kafka/records',
  '@pipeline/state-machine',
  '@pipeline/topics',
]);
const IMPURE = [
  /\bDate\.now\(/,
  /\bnew Date\(/,
  /\bset(Timeout|Interval|Immediate)\(/,
  /\bperformance\./,
  /\bMath\.random\(/,
  /\bprocess\./,
];

/** The module specifiers a file imports (static imports and re-exports). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map(
    (m) => m[1] as string,
  );
}

/** The code without comments, so that words in comments do not count. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('src/domain', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)('%s imports only pure modules', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const foreign = importsOf(source).filter((m) => !m.startsWith('./') && !ALLOWED.has(m));
    expect(foreign).toEqual([]);
  });

  it.each(files)('%s reads no clock, starts no timer, draws no random number', (file) => {
    const source = code(readFileSync(new URL(file, dir), 'utf8'));
    expect(IMPURE.filter((pattern) => pattern.test(source)).map(String)).toEqual([]);
  });

  it('the checks catch what they are meant to', () => {
    expect(importsOf("import { x } from 'kafkajs';\nexport { y } from './y.js';")).toEqual([
      'kafkajs',
      './y.js',
    ]);
    expect(importsOf("import {\n  a,\n  b,\n} from '@pipeline/kafka';")).toEqual(['@pipeline/kafka']);
    expect(IMPURE.some((p) => p.test(code('const t = Date.now();')))).toBe(true);
    expect(IMPURE.some((p) => p.test(code('// Date.now() in a comment\nconst t = 1;')))).toBe(false);
  });
});
