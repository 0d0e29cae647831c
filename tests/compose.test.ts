import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { ALL_TOPICS, topicSpecs } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRepoFile, repoPath } from './support/repo.js';
import { readTopicsFile } from './support/topics-file.js';

// The parts of the compose file these checks read.
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  hostname?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number | string; published?: number | string; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: {
    test?: string | string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  entrypoint?: string | string[];
  command?: string | string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readRepoFile('docker-compose.yml')) as Compose;
const services = compose.services;
const APPS = ['orchestrator', 'mock-agents'];

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function env(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value ?? '')]));
}

function required(values: Record<string, string>, key: string): string {
  const value = values[key];
  if (value === undefined || value === '') throw new Error(`${key} is not set`);
  return value;
}

function dependsOn(name: string): Record<string, string> {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([dep, options]) => [dep, options?.condition ?? 'service_started']),
  );
}

interface PortMapping {
  hostIp: string | undefined;
  published: string | undefined;
  target: string;
}

function ports(name: string): PortMapping[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { hostIp: port.host_ip, published: port.published?.toString(), target: String(port.target) };
    }
    // [host_ip:][published:]target[/protocol]
    const parts = String(port)
      .replace(/\/\w+$/, '')
      .split(':');
    const target = parts.pop() as string;
    const published = parts.pop();
    return { hostIp: parts.length > 0 ? parts.join(':') : undefined, published, target };
  });
}

interface Mount {
  type: string;
  source: string | undefined;
  target: string;
}

function mounts(name: string): Mount[] {
  return (service(name).volumes ?? []).map((volume) => {
    if (typeof volume === 'object')
      return { type: volume.type ?? 'volume', source: volume.source, target: volume.target };
    const [source, target, ...rest] = volume.split(':');
    if (target === undefined || rest.length > 1) throw new Error(`cannot read volume ${volume}`);
    const isPath = source?.startsWith('.') || source?.startsWith('/') || source?.startsWith('~');
    return { type: isPath ? 'bind' : 'volume', source, target };
  });
}

/** "NAME://host:port,NAME://:port" as name -> {host, port}. */
function listeners(value: string): Map<string, { host: string; port: string }> {
  const result = new Map<string, { host: string; port: string }>();
  for (const entry of value.split(',').map((part) => part.trim())) {
    const match = /^([A-Za-z0-9_]+):\/\/(.*):(\d+)$/.exec(entry);
    if (!match) throw new Error(`cannot read listener ${entry}`);
    result.set(match[1] as string, { host: match[2] as string, port: match[3] as string });
  }
  return result;
}

function commandLine(test: string | string[] | undefined): string {
  if (test === undefined) return '';
  if (typeof test === 'string') return test;
  const [kind, ...rest] = test;
  return kind === 'CMD' || kind === 'CMD-SHELL' ? rest.join(' ') : test.join(' ');
}

const kafkaEnv = env('kafka');
const advertised = listeners(required(kafkaEnv, 'KAFKA_ADVERTISED_LISTENERS'));
const bound = listeners(required(kafkaEnv, 'KAFKA_LISTENERS'));
const internalName = required(kafkaEnv, 'KAFKA_INTER_BROKER_LISTENER_NAME');
const internal = advertised.get(internalName);
/** host:port that the containers use, read from the broker's own configuration. */
const internalBootstrap = internal ? `${internal.host}:${internal.port}` : '(no internal listener)';

describe('docker-compose.yml', () => {
  it('defines the broker, the topic provisioning, the orchestrator and the mock agents', () => {
    for (const name of ['kafka', 'kafka-init', ...APPS]) expect(Object.keys(services)).toContain(name);
  });

  it('runs Kafka from the official apache/kafka image, 3.7 or later', () => {
    const match = /^apache\/kafka:(\d+)\.(\d+)(?:\.(\d+))?$/.exec(service('kafka').image ?? '');
    expect(match, `kafka image ${service('kafka').image}`).not.toBeNull();
    const [major, minor] = [Number(match?.[1]), Number(match?.[2])];
    expect(major > 3 || (major === 3 && minor >= 7)).toBe(true);
    // The provisioning runs the CLI of the same release as the broker.
    expect(service('kafka-init').image).toBe(service('kafka').image);
  });

  it('has no ZooKeeper: no such service, image or setting', () => {
    for (const [name, definition] of Object.entries(services)) {
      expect(name).not.toMatch(/zoo/i);
      expect(definition.image ?? '').not.toMatch(/zookeeper/i);
      for (const [key, value] of Object.entries(env(name))) {
        expect(`${key}=${value}`, `${name}: ${key}`).not.toMatch(/zookeeper/i);
      }
    }
  });

  it('runs Kafka in KRaft mode, one node that is broker and controller', () => {
    expect(new Set(required(kafkaEnv, 'KAFKA_PROCESS_ROLES').split(','))).toEqual(
      new Set(['broker', 'controller']),
    );
    const nodeId = required(kafkaEnv, 'KAFKA_NODE_ID');
    const controllerName = required(kafkaEnv, 'KAFKA_CONTROLLER_LISTENER_NAMES');
    const controller = bound.get(controllerName);
    expect(controller, `KAFKA_LISTENERS has the controller listener ${controllerName}`).toBeDefined();
    expect(required(kafkaEnv, 'KAFKA_CONTROLLER_QUORUM_VOTERS')).toBe(`${nodeId}@kafka:${controller?.port}`);
    expect(advertised.has(controllerName), 'the controller listener is not advertised to clients').toBe(
      false,
    );
    // A fixed id, so a restart reuses the formatted data volume.
    expect(required(kafkaEnv, 'CLUSTER_ID')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('sizes the internal topics for one broker and creates no topic on its own', () => {
    expect(kafkaEnv.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(kafkaEnv.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(kafkaEnv.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    expect(kafkaEnv.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
    expect(kafkaEnv.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('maps every listener to a security protocol and binds every advertised one', () => {
    const protocols = new Map(
      required(kafkaEnv, 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')
        .split(',')
        .map((pair) => pair.trim().split(':') as [string, string]),
    );
    for (const name of bound.keys()) expect(protocols.has(name), `${name} has a protocol`).toBe(true);
    for (const name of advertised.keys()) expect(bound.has(name), `${name} is in KAFKA_LISTENERS`).toBe(true);
  });

  it('advertises the internal listener as the kafka service, and every client container bootstraps from it', () => {
    expect(
      internal,
      `KAFKA_ADVERTISED_LISTENERS has the inter-broker listener ${internalName}`,
    ).toBeDefined();
    expect(internal?.host).toBe(service('kafka').hostname ?? 'kafka');
    for (const name of [...APPS, 'kafka-init']) {
      expect(env(name).KAFKA_BOOTSTRAP, `${name} KAFKA_BOOTSTRAP`).toBe(internalBootstrap);
    }
  });

  it('publishes a host listener on loopback, so KAFKA_BOOTSTRAP=localhost:9092 works from the host', () => {
    const hostListeners = [...advertised].filter(([, address]) =>
      ['localhost', '127.0.0.1'].includes(address.host),
    );
    expect(hostListeners).toHaveLength(1);
    const [name, address] = hostListeners[0] as [string, { host: string; port: string }];
    expect(`${address.host}:${address.port}`).toBe('localhost:9092');
    const mapping = ports('kafka').find((port) => port.published === address.port);
    expect(mapping, `host port ${address.port} is published`).toBeDefined();
    expect(mapping?.target, `it leads to the ${name} listener`).toBe(bound.get(name)?.port);
    expect(mapping?.hostIp).toBe('127.0.0.1');
    // The internal listener is for the compose network only.
    expect(ports('kafka').map((port) => port.target)).not.toContain(internal?.port);
  });

  it('has a broker healthcheck that asks the broker itself through the internal listener', () => {
    const healthcheck = service('kafka').healthcheck;
    const command = commandLine(healthcheck?.test);
    expect(command).toMatch(/kafka-(?:broker-api-versions|topics)\.sh/);
    expect(command).toContain(`--bootstrap-server ${internalBootstrap}`);
    expect(healthcheck?.interval).toBeTruthy();
    expect(healthcheck?.timeout).toBeTruthy();
    expect(healthcheck?.retries).toBeGreaterThan(0);
    expect(healthcheck?.start_period).toBeTruthy();
  });

  it('keeps the broker data in a named volume at its log dir', () => {
    const logDir = required(kafkaEnv, 'KAFKA_LOG_DIRS');
    const data = mounts('kafka').find((mount) => mount.target === logDir);
    expect(data?.type).toBe('volume');
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.source);
  });

  it('provisions the topics with a one-shot kafka-init once the broker is healthy', () => {
    expect(dependsOn('kafka-init')).toEqual({ kafka: 'service_healthy' });
    expect([undefined, 'no']).toContain(service('kafka-init').restart);
    const argv = [service('kafka-init').entrypoint ?? [], service('kafka-init').command ?? []].flat();
    const script = argv.find((arg) => arg.endsWith('.sh'));
    expect(script, 'kafka-init runs a script').toBeDefined();
    // The script and the list come from the repository through a bind mount.
    const fromRepo = (containerPath: string): string | undefined => {
      for (const mount of mounts('kafka-init')) {
        if (mount.type !== 'bind' || mount.source === undefined) continue;
        const relative = posix.relative(mount.target, containerPath);
        if (!relative.startsWith('..')) return posix.join(mount.source, relative);
      }
      return undefined;
    };
    expect(fromRepo(script as string)).toBe('deploy/create-topics.sh');
    expect(fromRepo(required(env('kafka-init'), 'TOPICS_FILE'))).toBe('deploy/topics.txt');
  });

  it.each(APPS)('starts %s after a healthy broker and the provisioned topics', (name) => {
    expect(dependsOn(name)).toMatchObject({
      kafka: 'service_healthy',
      'kafka-init': 'service_completed_successfully',
    });
  });

  it.each(APPS)('builds %s from apps/<app>/Dockerfile with the repository root as context', (name) => {
    const build = service(name).build;
    expect(typeof build).toBe('object');
    expect(build).toEqual({ context: '.', dockerfile: `apps/${name}/Dockerfile` });
  });

  it('waits only on healthchecks that exist and on one-shot services that end', () => {
    for (const name of Object.keys(services)) {
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
        if (condition === 'service_healthy')
          expect(service(dep).healthcheck?.test, `${dep} healthcheck`).toBeTruthy();
        if (condition === 'service_completed_successfully')
          expect([undefined, 'no']).toContain(service(dep).restart);
      }
    }
  });

  it('publishes the orchestrator HTTP port 9300 and checks its /healthz with node', () => {
    expect(ports('orchestrator').some((port) => port.target === '9300' && port.published === '9300')).toBe(
      true,
    );
    const test = service('orchestrator').healthcheck?.test;
    expect(Array.isArray(test) ? test.slice(0, 2) : test).toEqual(['CMD', 'node']);
    expect(commandLine(test)).toContain('http://127.0.0.1:9300/healthz');
  });

  it('finding 13: the orchestrator listens on every interface of its container, published on the host loopback only', () => {
    // The image's default is 127.0.0.1 (ORCH_HTTP_HOST), which a published port cannot reach.
    expect(env('orchestrator').ORCH_HTTP_HOST).toBe('0.0.0.0');
    const published = ports('orchestrator').filter((port) => port.target === '9300');
    expect(published).toEqual([{ hostIp: '127.0.0.1', published: '9300', target: '9300' }]);
    // The optional bearer token of GET /requests/{id} comes from the host's environment (or .env).
    expect(env('orchestrator').ORCH_HTTP_TOKEN).toMatch(/^\$\{ORCH_HTTP_TOKEN:-\}$/);
    // No service publishes a port on every interface of the host.
    for (const name of Object.keys(services))
      for (const port of ports(name)) expect(port.hostIp, `${name} ${port.target}`).toBe('127.0.0.1');
  });

  it('names only build contexts, Dockerfiles and bind-mount sources that exist', () => {
    let checked = 0;
    for (const [name, definition] of Object.entries(services)) {
      if (definition.build !== undefined) {
        const build = typeof definition.build === 'string' ? { context: definition.build } : definition.build;
        const context = build.context ?? '.';
        expect(statSync(repoPath(context)).isDirectory(), `${name} build context ${context}`).toBe(true);
        const dockerfile = posix.join(context, build.dockerfile ?? 'Dockerfile');
        expect(existsSync(repoPath(dockerfile)), `${name} Dockerfile ${dockerfile}`).toBe(true);
        checked++;
      }
      for (const mount of mounts(name).filter((m) => m.type === 'bind')) {
        expect(
          existsSync(repoPath(mount.source ?? '/nonexistent')),
          `${name} bind source ${mount.source}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});

describe('deploy/topics.txt', () => {
  const listed = readTopicsFile();

  it('lists exactly the topics of @pipeline/topics, in its order', () => {
    expect(listed.map((topic) => topic.name)).toEqual([...ALL_TOPICS]);
  });

  it('creates each topic as topicSpecs() does for a single broker: partitions, replication and configs', () => {
    const expected = topicSpecs({ replicationFactor: 1 }).map((spec) => ({
      name: spec.name,
      partitions: spec.partitions,
      replicationFactor: spec.replicationFactor,
      configs: { ...spec.configs },
    }));
    expect(listed).toEqual(expected);
    // The spot checks of the brief, should topicSpecs() ever change its defaults.
    expect(listed.find((topic) => topic.name === 'orchestrator.state')?.configs['cleanup.policy']).toBe(
      'compact',
    );
    // The state topic and the alias index are compacted; every other topic deletes by age.
    expect(listed.find((topic) => topic.name === 'orchestrator.alias')?.configs['cleanup.policy']).toBe(
      'compact',
    );
    expect(listed.filter((topic) => topic.configs['cleanup.policy'] === 'delete')).toHaveLength(
      ALL_TOPICS.length - 2,
    );
  });
});
