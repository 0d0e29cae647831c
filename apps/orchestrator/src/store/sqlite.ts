import { createRequire } from 'node:module';

// One embedded SQLite for the state store on every Node the project runs on: the built-in
// node:sqlite where Node has it (22.13 and later), better-sqlite3 12 on Node 20. better-sqlite3 is a
// native addon compiled for one Node ABI at install; the built-in needs no compiling and so works on
// whichever Node runs the checkout. Both are driven through the few calls below, with positional
// parameters only (the two differ on named ones) and BLOBs handed back as Buffers.

export type SqlValue = string | number | bigint | Buffer | null;
export type Row = Record<string, SqlValue>;

export interface Statement {
  run(...params: SqlValue[]): void;
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
}

export interface Database {
  /** Which SQLite binding opened it: `node:sqlite` or `better-sqlite3`. */
  readonly driver: string;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** Runs `work` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK when it throws). */
  transaction<T>(work: () => T): T;
  close(): void;
}

interface RawStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface RawDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): RawStatement;
  close(): unknown;
}

const require = createRequire(import.meta.url);

function openRaw(file: string): { raw: RawDatabase; driver: string } {
  let builtIn: { DatabaseSync: new (file: string) => RawDatabase } | undefined;
  try {
    builtIn = require('node:sqlite');
  } catch {
    // Node 20: no built-in SQLite.
  }
  if (builtIn) return { raw: new builtIn.DatabaseSync(file), driver: 'node:sqlite' };
  const BetterSqlite = require('better-sqlite3') as new (file: string) => RawDatabase;
  return { raw: new BetterSqlite(file), driver: 'better-sqlite3' };
}

/** node:sqlite returns BLOBs as Uint8Array, better-sqlite3 as Buffer: always a Buffer here. */
function normalise(row: unknown): Row | undefined {
  if (row === undefined || row === null) return undefined;
  const out: Row = {};
  for (const [name, value] of Object.entries(row as Record<string, unknown>))
    out[name] =
      value instanceof Uint8Array && !Buffer.isBuffer(value)
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : (value as SqlValue);
  return out;
}

export function openDatabase(file: string): Database {
  const { raw, driver } = openRaw(file);
  let depth = 0;
  return {
    driver,
    exec: (sql) => {
      raw.exec(sql);
    },
    prepare(sql) {
      const statement = raw.prepare(sql);
      return {
        run: (...params) => {
          statement.run(...params);
        },
        get: (...params) => normalise(statement.get(...params)),
        all: (...params) => statement.all(...params).map((row) => normalise(row) as Row),
      };
    },
    transaction(work) {
      // Nested calls join the outer transaction.
      if (depth > 0) return work();
      raw.exec('BEGIN IMMEDIATE');
      depth++;
      try {
        const result = work();
        raw.exec('COMMIT');
        return result;
      } catch (error) {
        raw.exec('ROLLBACK');
        throw error;
      } finally {
        depth--;
      }
    },
    close: () => {
      raw.close();
    },
  };
}
