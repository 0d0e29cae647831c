import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, pollUntil } from '@pipeline/common';
import { DEFAULT_KAFKA_VERSION, majorVersion, status } from '@pipeline/kafka-launcher';

/**
 * A second, secured single-node Kafka for the security tests only: the broker of the test run speaks
 * PLAINTEXT, and TLS client certificates, SCRAM and PLAIN need listeners of their own. It runs the
 * jars the launcher cached for the run's broker (same version), with certificates made by openssl
 * for this broker alone, and is stopped (and its directory removed) by `stop()`.
 *
 * Listeners (all on 127.0.0.1):
 * - `ssl`: TLS, client certificate required (signed by `files.ca`);
 * - `saslSsl`: SASL over TLS, PLAIN (alice) and SCRAM-SHA-256 / -512 (bob, carol);
 * - `saslPlaintext`: SASL PLAIN without TLS (alice), the setting KAFKA_SASL_ALLOW_PLAINTEXT is for.
 */
export interface SecuredBroker {
  ssl: string;
  saslSsl: string;
  saslPlaintext: string;
  files: {
    /** The CA of the broker certificate and of the trusted client certificate. */
    ca: string;
    clientCert: string;
    clientKey: string;
    /** A client certificate from another CA: the broker must refuse it. */
    strangerCert: string;
    strangerKey: string;
  };
  users: {
    plain: { username: string; password: string };
    scram256: { username: string; password: string };
    scram512: { username: string; password: string };
  };
  stop(): Promise<void>;
}

const KEYSTORE_PASSWORD = 'broker-keystore-secret';

/** Where the launcher keeps the jars (its paths.ts: PIPELINE_KAFKA_CACHE, XDG_CACHE_HOME, ~/.cache). */
function cachedJars(version: string): string {
  const env = process.env;
  const base = env.PIPELINE_KAFKA_CACHE
    ? resolve(env.PIPELINE_KAFKA_CACHE)
    : join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pipeline-kafka');
  const libs = join(base, version, 'libs');
  if (!existsSync(libs))
    throw new Error(`no Kafka ${version} jars in ${libs}: run \`pnpm kafka:up --version ${version}\` once`);
  return libs;
}

function java(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** A CA, a certificate for 127.0.0.1 signed by it, a client certificate, and a stranger's. */
function makeCertificates(dir: string) {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const ca = (name: string) => {
    key(name);
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  };
  const signed = (name: string, by: string, ext: string) => {
    key(name);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${by}.pem`,
      '-CAkey',
      `${by}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  ca('test-ca');
  ca('stranger-ca');
  signed('broker', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('pipeline-client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  signed('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  openssl(
    'pkcs12',
    '-export',
    '-in',
    'broker.pem',
    '-inkey',
    'broker.key',
    '-certfile',
    'test-ca.pem',
    '-name',
    'broker',
    '-out',
    'broker.p12',
    '-passout',
    `pass:${KEYSTORE_PASSWORD}`,
  );
  const at = (file: string) => join(dir, file);
  return {
    ca: at('test-ca.pem'),
    clientCert: at('pipeline-client.pem'),
    clientKey: at('pipeline-client.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
    keystore: at('broker.p12'),
  };
}

/** The version of the run's broker when the launcher runs it, else KAFKA_VERSION, else the default. */
async function brokerVersion(): Promise<string> {
  const running = await status().catch(() => undefined);
  return running?.version ?? (process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION);
}

export async function startSecuredBroker(): Promise<SecuredBroker> {
  const version = await brokerVersion();
  const libs = cachedJars(version);
  const dir = mkdtempSync(join(tmpdir(), 'kafka-secured-'));
  const users = {
    plain: { username: 'alice', password: 'alice-secret' },
    scram256: { username: 'bob', password: 'bob-secret' },
    scram512: { username: 'carol', password: 'carol-secret' },
  };
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child?.once('exit', () => r()));
      child.kill('SIGTERM');
      const killed = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const files = makeCertificates(dir);
    const [internal, ssl, saslSsl, saslPlaintext, controller] = [
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
    ];
    const plainJaas = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.plain.username}="${users.plain.password}";`;
    const scramJaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    const listeners = {
      INTERNAL: internal,
      SSL: ssl,
      SASL_SSL: saslSsl,
      SASL_PLAINTEXT: saslPlaintext,
    };
    const props: Record<string, string> = {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': `1@127.0.0.1:${controller}`,
      'controller.listener.names': 'CONTROLLER',
      listeners: [
        ...Object.entries(listeners).map(([name, port]) => `${name}://127.0.0.1:${port}`),
        `CONTROLLER://127.0.0.1:${controller}`,
      ].join(','),
      'advertised.listeners': Object.entries(listeners)
        .map(([name, port]) => `${name}://127.0.0.1:${port}`)
        .join(','),
      'listener.security.protocol.map':
        'INTERNAL:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'INTERNAL',
      'log.dirs': join(dir, 'data'),
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'transaction.state.log.num.partitions': '1',
      'group.initial.rebalance.delay.ms': '0',
      'log.cleaner.dedupe.buffer.size': String(8 * 1024 * 1024),
      'num.network.threads': '1',
      'num.io.threads': '2',
      // TLS: the broker's certificate, and the CA whose client certificates it trusts.
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': files.keystore,
      'ssl.keystore.password': KEYSTORE_PASSWORD,
      'ssl.key.password': KEYSTORE_PASSWORD,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': files.ca,
      'listener.name.ssl.ssl.client.auth': 'required',
      // SASL: PLAIN on both SASL listeners, SCRAM over TLS.
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': plainJaas,
      'listener.name.sasl_ssl.plain.sasl.jaas.config': plainJaas,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': scramJaas,
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scramJaas,
    };
    if (majorVersion(version) >= 4) {
      props['share.coordinator.state.topic.replication.factor'] = '1';
      props['share.coordinator.state.topic.min.isr'] = '1';
    }
    const serverProperties = join(dir, 'server.properties');
    writeFileSync(
      serverProperties,
      `${Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
    const log4j =
      majorVersion(version) >= 4
        ? {
            file: join(dir, 'log4j2.properties'),
            arg: '-Dlog4j2.configurationFile=',
            text: 'appender.console.type = Console\nappender.console.name = STDOUT\nappender.console.layout.type = PatternLayout\nappender.console.layout.pattern = [%d] %p %m (%c)%n\nrootLogger.level = WARN\nrootLogger.appenderRef.stdout.ref = STDOUT\n',
          }
        : {
            file: join(dir, 'log4j.properties'),
            arg: '-Dlog4j.configuration=file:',
            text: 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
          };
    writeFileSync(log4j.file, log4j.text);
    const jvm = [
      '-Xms128m',
      '-Xmx384m',
      '-Djava.awt.headless=true',
      `${log4j.arg}${log4j.file}`,
      '-cp',
      `${libs}/*`,
    ];
    // The SCRAM users exist from the start: KRaft takes them at format time.
    execFileSync(
      java(),
      [
        ...jvm,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        'c2VjdXJlZC1icm9rZXItMQ',
        '-c',
        serverProperties,
        '--add-scram',
        `SCRAM-SHA-256=[name=${users.scram256.username},password=${users.scram256.password}]`,
        '--add-scram',
        `SCRAM-SHA-512=[name=${users.scram512.username},password=${users.scram512.password}]`,
      ],
      { stdio: 'pipe' },
    );
    const logFile = join(dir, 'broker.log');
    writeFileSync(logFile, '');
    const out = openSync(logFile, 'a');
    child = spawn(java(), [...jvm, 'kafka.Kafka', serverProperties], { stdio: ['ignore', out, out] });
    const started = child;
    await pollUntil(
      async () => {
        if (started.exitCode !== null)
          throw new Error(
            `secured broker exited with ${started.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`,
          );
        return listening(internal);
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'the secured broker' },
    );
    return {
      ssl: `127.0.0.1:${ssl}`,
      saslSsl: `127.0.0.1:${saslSsl}`,
      saslPlaintext: `127.0.0.1:${saslPlaintext}`,
      files,
      users,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** True once the broker answers on its PLAINTEXT listener (it opens after the others are ready). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
