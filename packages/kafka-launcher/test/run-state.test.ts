import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runningBootstrap } from '../src/api.js';
import { cacheBase, findWorkspaceRoot, repoRoot } from '../src/paths.js';
import {
  type BrokerRecord,
  forgetBroker,
  kafkaHome,
  readBootstrapFile,
  readBrokerJson,
  rotateLog,
  statePaths,
  writeBootstrapFile,
  writeBrokerJson,
} from '../src/run-state.js';

const scratch = mkdtempSync(join(tmpdir(), 'launcher-state-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const record = (home: string, pid: number): BrokerRecord => ({
  bootstrap: '127.0.0.1:19092',
  pid,
  version: '3.9.1',
  port: 19092,
  controllerPort: 19093,
  clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
  logFile: join(home, 'logs', 'broker.log'),
  dataDir: join(home, 'data'),
  state: 'running',
  startedAt: new Date().toISOString(),
});

describe('where things live', () => {
  it('finds this checkout from the package, whatever the current directory', () => {
    const root = repoRoot();
    expect(existsSync(join(root, 'pnpm-workspace.yaml'))).toBe(true);
    expect(existsSync(join(root, 'packages', 'kafka-launcher', 'package.json'))).toBe(true);
    expect(findWorkspaceRoot(join(root, 'packages', 'kafka-launcher', 'src'))).toBe(root);
    expect(findWorkspaceRoot(tmpdir())).toBeUndefined();
  });

  it('keeps the run state in <repo>/.kafka unless PIPELINE_KAFKA_HOME says otherwise', () => {
    expect(kafkaHome({})).toBe(join(repoRoot(), '.kafka'));
    expect(kafkaHome({ PIPELINE_KAFKA_HOME: 'rel/home' })).toBe(resolve('rel/home'));
    const paths = statePaths('/h');
    expect(paths).toEqual({
      home: '/h',
      dataDir: '/h/data',
      configDir: '/h/config',
      serverProperties: '/h/config/server.properties',
      logsDir: '/h/logs',
      logFile: '/h/logs/broker.log',
      brokerJson: '/h/broker.json',
      bootstrapFile: '/h/bootstrap',
      lockFile: '/h/up.lock',
    });
  });

  it('keeps the jar cache outside the work tree', () => {
    expect(cacheBase({ HOME: '/home/u', XDG_CACHE_HOME: '/c' })).toBe('/c/pipeline-kafka');
    expect(cacheBase({ PIPELINE_KAFKA_CACHE: '/jars' })).toBe('/jars');
    expect(cacheBase({}).startsWith(repoRoot())).toBe(false);
  });
});

describe('broker.json and the bootstrap file', () => {
  it('are written, read back and forgotten together', () => {
    const paths = statePaths(join(scratch, 'rw'));
    mkdirSync(paths.home, { recursive: true });
    expect(readBrokerJson(paths)).toBeNull();
    expect(readBootstrapFile(paths)).toBeUndefined();
    const written = record(paths.home, 4242);
    writeBrokerJson(paths, written);
    writeBootstrapFile(paths, written.bootstrap);
    expect(readBrokerJson(paths)).toEqual(written);
    expect(readFileSync(paths.bootstrapFile, 'utf8')).toBe('127.0.0.1:19092\n');
    expect(readBootstrapFile(paths)).toBe('127.0.0.1:19092');
    forgetBroker(paths);
    expect(existsSync(paths.brokerJson)).toBe(false);
    expect(existsSync(paths.bootstrapFile)).toBe(false);
  });

  it('ignores a broker.json without an integer pid and port', () => {
    const paths = statePaths(join(scratch, 'bad'));
    mkdirSync(paths.home, { recursive: true });
    for (const text of ['not json', '[]', 'null', '{"pid":"12","port":9092}', '{"pid":12}']) {
      writeFileSync(paths.brokerJson, text);
      expect(readBrokerJson(paths)).toBeNull();
    }
  });

  it('keeps one previous broker log', () => {
    const paths = statePaths(join(scratch, 'logs'));
    mkdirSync(paths.logsDir, { recursive: true });
    writeFileSync(paths.logFile, 'first\n');
    rotateLog(paths.logFile);
    expect(readFileSync(join(paths.logsDir, 'broker.prev.log'), 'utf8')).toBe('first\n');
    expect(existsSync(paths.logFile)).toBe(false);
    rotateLog(paths.logFile); // nothing to rotate: no error
  });
});

describe('runningBootstrap', () => {
  it('is undefined without run state, and when the recorded JVM is not our broker', () => {
    const home = join(scratch, 'running');
    expect(runningBootstrap({ home })).toBeUndefined();
    const paths = statePaths(home);
    mkdirSync(home, { recursive: true });
    // A live pid that is not a broker of this folder (this test process) does not count.
    writeBrokerJson(paths, record(home, process.pid));
    writeBootstrapFile(paths, '127.0.0.1:19092');
    expect(runningBootstrap({ home })).toBeUndefined();
  });
});
