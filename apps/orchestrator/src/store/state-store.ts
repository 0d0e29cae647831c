import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, openDatabase, type Row } from './sqlite.js';

/**
 * The instance's on-disk copy of the state topic and of the alias index: the latest record of every
 * request, with what the HTTP API filters on, the aliases keyless replies are correlated by (from the
 * alias topic, domain/alias-record.ts), and per topic and partition the offset read up to (the
 * checkpoint), all written in one SQLite transaction per fetched batch. It is a cache: the topics stay
 * the only source of truth, a restart reads them from the checkpoints on, and a lost or foreign store
 * costs a full read, nothing else.
 *
 * Instances on one host share the directory: each takes the first slot file no running instance
 * holds (SQLite's exclusive lock, released by the OS when a process dies), so a restarted instance
 * finds a warm slot.
 */

/** Bumped when the tables change: a store of another layout is emptied and read again from the topic. */
const SCHEMA_VERSION = '2';
/** More instances of one group on one host than this is a mistake, not a deployment. */
const MAX_SLOTS = 64;

/** What a store is a copy of: a store of another cluster or topic is emptied before use. */
export interface StoreSource {
  clusterId: string;
  /** The state topic's name in the cluster. */
  topic: string;
}

/** One request's latest state as read from the state topic, with the columns derived from it. */
export interface StoredRequest {
  requestId: string;
  partition: number;
  stage: string;
  finished: boolean;
  repo: string;
  requester: string;
  createdAt: number;
  updatedAt: number;
  /** The state record's bytes as read (either version). */
  value: Buffer;
}

/** The topics the store copies: the state topic and the alias index (checkpoints are per topic). */
export type StoreTopic = 'state' | 'alias';

/** What one record of the alias index does: the alias belongs to the request, or no longer. */
export interface AliasChange {
  alias: string;
  requestId: string;
  present: boolean;
}

/** What one state record does to the store. */
export type StoreChange =
  | { kind: 'put'; request: StoredRequest }
  | { kind: 'forget'; requestId: string }
  | { kind: 'unreadable'; requestId: string; partition: number; why: string };

export interface StoredValue {
  requestId: string;
  partition: number;
  value: Buffer;
}

export interface StoreListQuery {
  stage?: string;
  repo?: string;
  requester?: string;
  since?: number;
  /** Only requests of these state partitions (a fan-out asks each owner for its own). */
  partitions?: readonly number[];
  /** Items after this one (newest first, then by id). */
  after?: [createdAt: number, requestId: string];
  limit: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
  request_id TEXT PRIMARY KEY, partition INTEGER NOT NULL, stage TEXT NOT NULL,
  finished INTEGER NOT NULL, repo TEXT NOT NULL, requester TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, value BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS requests_by_partition ON requests (partition, finished, updated_at);
CREATE INDEX IF NOT EXISTS requests_newest_first ON requests (created_at DESC, request_id);
CREATE TABLE IF NOT EXISTS aliases (alias TEXT NOT NULL, request_id TEXT NOT NULL,
  PRIMARY KEY (alias, request_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unreadable (request_id TEXT PRIMARY KEY, partition INTEGER NOT NULL, why TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS indexed (partition INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS positions (topic TEXT NOT NULL, partition INTEGER NOT NULL,
  next_offset TEXT NOT NULL, PRIMARY KEY (topic, partition)) WITHOUT ROWID;
`;
const TABLES = ['requests', 'aliases', 'unreadable', 'indexed', 'positions'];

export class StateStore {
  private readonly statements: ReturnType<typeof prepare>;

  private constructor(
    private readonly db: Database,
    /** The slot file this instance holds. */
    readonly file: string,
  ) {
    this.statements = prepare(db);
  }

  /**
   * Opens the first free slot of `dir` (created if missing) for `source`. A slot holding another
   * layout, cluster or topic is emptied first (it is only a cache).
   */
  static open(dir: string, source: StoreSource): StateStore {
    // Only the instance's user: the store holds every request's change (descriptions, requesters).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (let slot = 0; slot < MAX_SLOTS; slot++) {
      const file = join(dir, `slot-${slot}.sqlite`);
      let db: Database | undefined;
      try {
        db = lockSlot(file);
        if (!db) continue;
        prepareSchema(db, source);
        return new StateStore(db, file);
      } catch (error) {
        db?.close();
        if (!isDamaged(error)) throw error;
        // A damaged file (a disk that filled up, a copy cut short): it is only a cache, start anew.
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
        db = lockSlot(file);
        if (!db) continue;
        prepareSchema(db, source);
        return new StateStore(db, file);
      }
    }
    throw new Error(
      `every state store slot of ${dir} (${MAX_SLOTS}) is held by a running instance: give this one its own ORCH_STATE_DIR`,
    );
  }

  /** The SQLite binding in use (node:sqlite or better-sqlite3). */
  get driver(): string {
    return this.db.driver;
  }

  /** The offset after the last record read from each partition of a topic (the state topic by default). */
  positions(topic: StoreTopic = 'state'): Map<number, bigint> {
    const positions = new Map<number, bigint>();
    for (const row of this.statements.positions.all(topic))
      positions.set(Number(row.partition), BigInt(row.next_offset as string));
    return positions;
  }

  /** Applies what a batch of state partition `partition` read, and moves its checkpoint to `nextOffset`. */
  apply(
    partition: number,
    changes: readonly StoreChange[],
    nextOffset: bigint,
    options: { aliasesIndexed?: boolean } = {},
  ): void {
    const s = this.statements;
    this.db.transaction(() => {
      if (options.aliasesIndexed) s.indexedPut.run(partition);
      for (const change of changes) {
        if (change.kind === 'put') {
          const r = change.request;
          s.unreadableForget.run(r.requestId);
          s.put.run(
            r.requestId,
            r.partition,
            r.stage,
            r.finished ? 1 : 0,
            r.repo,
            r.requester,
            r.createdAt,
            r.updatedAt,
            r.value,
          );
        } else {
          s.requestForget.run(change.requestId);
          if (change.kind === 'forget') s.unreadableForget.run(change.requestId);
          else s.unreadablePut.run(change.requestId, change.partition, change.why);
        }
      }
      s.position.run('state', partition, String(nextOffset));
    });
  }

  /**
   * Applies what a batch of partition `partition` of the alias index read (requestsOf answers from
   * it), and moves that partition's checkpoint to `nextOffset`.
   */
  applyAliases(partition: number, changes: readonly AliasChange[], nextOffset: bigint): void {
    const s = this.statements;
    this.db.transaction(() => {
      for (const { alias, requestId, present } of changes)
        if (present) s.aliasPut.run(alias, requestId);
        else s.aliasForget.run(alias, requestId);
      s.position.run('alias', partition, String(nextOffset));
    });
  }

  /** Whether the unfinished requests of state partition p have their alias entries (state-record.ts). */
  aliasesIndexed(partition: number): boolean {
    return this.statements.indexed.get(partition) !== undefined;
  }

  /** Moves a partition's checkpoint past records that change nothing (markers, aborted records). */
  advance(partition: number, nextOffset: bigint, topic: StoreTopic = 'state'): void {
    this.statements.position.run(topic, partition, String(nextOffset));
  }

  get(requestId: string): StoredValue | undefined {
    const row = this.statements.get.get(requestId);
    return row && toValue(row);
  }

  /** The requests an alias (`task:<id>`, `commit:<sha>`, …) belongs to. */
  requestsOf(alias: string): string[] {
    return this.statements.alias.all(alias).map((row) => row.request_id as string);
  }

  /** The unfinished requests of a state partition: what its owner keeps in memory. */
  unfinishedIn(partition: number): StoredValue[] {
    return this.statements.unfinished.all(partition).map(toValue);
  }

  /** Finished requests of a partition last changed before `before` (epoch ms), oldest first. */
  finishedBefore(partition: number, before: number, limit: number): StoredValue[] {
    return this.statements.finishedBefore.all(partition, before, limit).map(toValue);
  }

  /** Requests of a partition whose latest state this version cannot read, with why. */
  unreadableIn(partition: number): Array<{ requestId: string; why: string }> {
    return this.statements.unreadable
      .all(partition)
      .map((row) => ({ requestId: row.request_id as string, why: row.why as string }));
  }

  /** A page of requests, newest first (then by id), matching every filter given. */
  list(query: StoreListQuery): StoredValue[] {
    const [afterAt, afterId] = query.after ?? [null, null];
    // Plain `?` only (better-sqlite3 refuses numbered ones bound by position): each value as often as used.
    const stage = query.stage ?? null;
    const repo = query.repo ?? null;
    const requester = query.requester ?? null;
    const since = query.since ?? null;
    const partitions = query.partitions === undefined ? null : JSON.stringify(query.partitions);
    return this.statements.list
      .all(
        stage,
        stage,
        repo,
        repo,
        requester,
        requester,
        since,
        since,
        partitions,
        partitions,
        afterAt,
        afterAt,
        afterAt,
        afterId,
        query.limit,
      )
      .map(toValue);
  }

  get size(): number {
    return Number(this.statements.count.get()?.n ?? 0);
  }

  /** Empties the store: everything is read again from the state topic. */
  clear(): void {
    this.db.transaction(() => {
      for (const table of TABLES) this.db.exec(`DELETE FROM ${table}`);
    });
  }

  close(): void {
    this.db.close();
  }
}

/** Opens `file` and takes its exclusive lock; undefined when another instance holds it. */
function lockSlot(file: string): Database | undefined {
  const db = openDatabase(file);
  try {
    // Fail at once on a held slot (better-sqlite3 would wait 5 s), hold the lock until closed, and
    // write ahead: a killed process loses nothing committed, a batch costs one sequential write.
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    if (isBusy(error)) return undefined;
    throw error;
  }
}

function isDamaged(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return /SQLITE_(CORRUPT|NOTADB)|file is not a database|malformed/i.test(text);
}

function isBusy(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return /SQLITE_BUSY|database is locked/i.test(text);
}

function prepareSchema(db: Database, source: StoreSource): void {
  db.exec(SCHEMA);
  const meta = (key: string) => db.prepare('SELECT value FROM meta WHERE key = ?').get(key)?.value;
  const sourceText = JSON.stringify(source);
  if (meta('schema') === SCHEMA_VERSION && meta('source') === sourceText) return;
  // Another layout, another cluster or topic, or new: start empty (the topic is read from the start).
  db.transaction(() => {
    for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec(SCHEMA);
    const set = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    set.run('schema', SCHEMA_VERSION);
    set.run('source', sourceText);
  });
}

function prepare(db: Database) {
  return {
    put: db.prepare(
      `INSERT OR REPLACE INTO requests
       (request_id, partition, stage, finished, repo, requester, created_at, updated_at, value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    requestForget: db.prepare('DELETE FROM requests WHERE request_id = ?'),
    aliasForget: db.prepare('DELETE FROM aliases WHERE alias = ? AND request_id = ?'),
    aliasPut: db.prepare('INSERT OR IGNORE INTO aliases (alias, request_id) VALUES (?, ?)'),
    unreadablePut: db.prepare(
      'INSERT OR REPLACE INTO unreadable (request_id, partition, why) VALUES (?, ?, ?)',
    ),
    unreadableForget: db.prepare('DELETE FROM unreadable WHERE request_id = ?'),
    indexedPut: db.prepare('INSERT OR IGNORE INTO indexed (partition) VALUES (?)'),
    indexed: db.prepare('SELECT partition FROM indexed WHERE partition = ?'),
    position: db.prepare('INSERT OR REPLACE INTO positions (topic, partition, next_offset) VALUES (?, ?, ?)'),
    positions: db.prepare('SELECT partition, next_offset FROM positions WHERE topic = ?'),
    get: db.prepare('SELECT request_id, partition, value FROM requests WHERE request_id = ?'),
    alias: db.prepare('SELECT request_id FROM aliases WHERE alias = ?'),
    unfinished: db.prepare(
      'SELECT request_id, partition, value FROM requests WHERE partition = ? AND finished = 0',
    ),
    finishedBefore: db.prepare(
      `SELECT request_id, partition, value FROM requests
       WHERE partition = ? AND finished = 1 AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    ),
    unreadable: db.prepare('SELECT request_id, why FROM unreadable WHERE partition = ?'),
    list: db.prepare(
      `SELECT request_id, partition, value FROM requests
       WHERE (? IS NULL OR stage = ?) AND (? IS NULL OR repo = ?) AND (? IS NULL OR requester = ?)
         AND (? IS NULL OR created_at >= ?)
         AND (? IS NULL OR partition IN (SELECT value FROM json_each(?)))
         AND (? IS NULL OR created_at < ? OR (created_at = ? AND request_id > ?))
       ORDER BY created_at DESC, request_id LIMIT ?`,
    ),
    count: db.prepare('SELECT count(*) AS n FROM requests'),
  };
}

function toValue(row: Row): StoredValue {
  return {
    requestId: row.request_id as string,
    partition: Number(row.partition),
    value: row.value as Buffer,
  };
}
