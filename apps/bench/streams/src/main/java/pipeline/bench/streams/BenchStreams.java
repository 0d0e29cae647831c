// The `kafka streams` system of `pnpm bench`: the transactional relay's hops (apps/bench/src/relay/
// route.ts) as a Kafka Streams application, exactly_once_v2, with a persistent state store that holds
// how far each request got (so it pays for a changelog as the orchestrator pays for its state topic).
//
// Reads the change requests and the agents' replies (CRQ, PLAN, CRES, BREPORT, TSPEC, GTRES of the
// run's PIPELINE_TOPIC_PREFIX), sends the next command keyed by the request id with the pipeline's
// standard headers, and on the second build report writes a StateRecord that says done to the state
// topic, as the relays do (apps/bench/src/ended.ts). Commit interval: Streams' EOS default, 100 ms.
//
// Environment: KAFKA_BOOTSTRAP (required), PIPELINE_TOPIC_PREFIX, STREAMS_TASKS (tasks per plan, the
// stub planner's, default 3), STREAMS_STATE_DIR (RocksDB's directory, default under java.io.tmpdir).
// Prints `"msg":"kafka streams running"` once it processes; on SIGTERM closes, removes its local
// state and deletes its changelog topic (a benchmark's topics go with its run).

package pipeline.bench.streams;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

public final class BenchStreams {
  // The logical topic names of packages/topics (src/names.ts).
  static final String CRQ = "change.request.in";
  static final String DEEP = "deepplan.in";
  static final String PLAN = "plan.out";
  static final String TASK = "code.task.out";
  static final String CRES = "commit.result.out";
  static final String BREPORT = "build.report.out";
  static final String TSPEC = "test.spec.out";
  static final String GTRES = "generated.tests.out";
  static final String BUILD_REQ = "build.request.in";
  static final String TPLAN_REQ = "test.plan.request.in";
  static final String TGEN_REQ = "test.gen.request.in";
  static final String STATE = "orchestrator.state";

  /** What it reads (the relay's RELAY_INPUTS) and writes. */
  static final List<String> INPUTS = List.of(CRQ, PLAN, CRES, BREPORT, TSPEC, GTRES);
  static final List<String> OUTPUTS = List.of(DEEP, TASK, BUILD_REQ, TPLAN_REQ, TGEN_REQ, STATE);

  static final String STORE = "progress";
  /** StateRecord.version of a protobuf state record (STATE_RECORD_VERSION of @pipeline/contracts). */
  static final int STATE_RECORD_VERSION = 2;
  static final String DONE = "done";

  public static void main(String[] args) throws Exception {
    // Before the first logger: Kafka's own logs, warnings and errors only, to stderr.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    String bootstrap = System.getenv("KAFKA_BOOTSTRAP");
    if (bootstrap == null || bootstrap.isBlank()) {
      System.err.println("KAFKA_BOOTSTRAP is not set: the broker's address, e.g. localhost:9092");
      System.exit(2);
    }
    String prefix = envOr("PIPELINE_TOPIC_PREFIX", "");
    int tasks = Integer.parseInt(envOr("STREAMS_TASKS", "3"));
    String stateDir = envOr(
        "STREAMS_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "pipeline-bench-streams").toString());
    String appId = prefix + "kafka-streams";

    Contracts contracts = Contracts.load();
    Topology topology = topology(prefix, tasks, contracts);

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    // Left at their defaults on purpose: commit.interval.ms (100 ms under exactly-once),
    // num.stream.threads (1), the consumer's fetch settings, the producer's (no compression).

    KafkaStreams streams = new KafkaStreams(topology, props);
    AtomicBoolean announced = new AtomicBoolean();
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING && announced.compareAndSet(false, true))
        log("info", "kafka streams running", "\"prefix\":" + quote(prefix) + ",\"applicationId\":" + quote(appId));
      if (now == KafkaStreams.State.ERROR) {
        log("error", "kafka streams failed", null);
        // Not on this (a stream) thread: the shutdown hook's close() waits for it.
        new Thread(() -> System.exit(1)).start();
      }
    });
    streams.setUncaughtExceptionHandler(error -> {
      log("error", "stream thread failed: " + error, null);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });

    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // Within the bench's 10 s between SIGTERM and SIGKILL.
        streams.close(Duration.ofSeconds(5));
        streams.cleanUp();
        deleteTree(Path.of(stateDir, appId));
        deleteChangelog(bootstrap, appId);
        log("info", "kafka streams stopped", null);
      } finally {
        closed.countDown();
      }
    }, "shutdown"));
    streams.start();
    closed.await();
  }

  /** One source over the six inputs (co-partitioned: task p reads partition p of each), one processor, one sink per output. */
  static Topology topology(String prefix, int tasks, Contracts contracts) {
    Topology topology = new Topology();
    String[] inputs = INPUTS.stream().map(t -> prefix + t).toArray(String[]::new);
    topology.addSource("inputs", new StringDeserializer(), new ByteArrayDeserializer(), inputs);
    topology.addProcessor("route", () -> new Route(prefix, tasks, contracts), "inputs");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.String())
            .withCachingDisabled()
            .withLoggingEnabled(Map.of()),
        "route");
    for (String out : OUTPUTS)
      topology.addSink(sinkOf(out), prefix + out, new StringSerializer(), new ByteArraySerializer(), "route");
    return topology;
  }

  static String sinkOf(String topic) {
    return "to-" + topic;
  }

  /** The relay's route(): the next hop of one message of request `id`, decided from the message; the store says how far it got. */
  static final class Route implements Processor<String, byte[], String, byte[]> {
    private final String prefix;
    private final int tasks;
    private final Contracts c;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, String> progress;

    Route(String prefix, int tasks, Contracts contracts) {
      this.prefix = prefix;
      this.tasks = tasks;
      this.c = contracts;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
      this.progress = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      String id = record.key();
      if (id == null || id.isEmpty() || record.value() == null) return;
      String physical = context.recordMetadata().map(RecordMetadata::topic).orElse("");
      String topic = physical.startsWith(prefix) ? physical.substring(prefix.length()) : physical;
      // A request that is through takes nothing more (a late or repeated reply).
      if (DONE.equals(progress.get(id))) return;
      long ts = record.timestamp();
      switch (topic) {
        case CRQ -> {
          DynamicMessage request = c.parse("core.ChangeRequest", record.value());
          hop(id, "plan", DEEP, request, ts);
        }
        case PLAN -> {
          DynamicMessage plan = c.parse("core.Plan", record.value());
          DynamicMessage bundle = c.build("core.TaskBundle")
              .set("plan_id", c.get(plan, "id"))
              .set("task_ids", c.get(plan, "task_ids"))
              .done();
          hop(id, "code", TASK, bundle, ts);
        }
        case CRES -> {
          DynamicMessage result = c.parse("core.CommitResult", record.value());
          if (!(id + "/task-" + tasks).equals(c.get(result, "task_id"))) return;
          hop(id, "build1", BUILD_REQ, buildRequest(id, 1, (String) c.get(result, "commit_sha")), ts);
        }
        case BREPORT -> {
          DynamicMessage report = c.parse("core.BuildReport", record.value());
          Object buildId = c.get(report, "build_id");
          if (buildId(id, 2).equals(buildId)) {
            progress.put(id, DONE);
            DynamicMessage state = c.build("core.StateRecord")
                .set("version", STATE_RECORD_VERSION)
                .set("request_id", id)
                .set("stage", DONE)
                .done();
            // As the relays write it: no headers.
            context.forward(new Record<>(id, state.toByteArray(), ts, new RecordHeaders()), sinkOf(STATE));
            return;
          }
          if (!buildId(id, 1).equals(buildId)) return;
          DynamicMessage next = c.build("core.TestPlanRequest")
              .set("request_id", id)
              .set("commit_sha", c.get(report, "commit_sha"))
              .done();
          hop(id, "test_plan", TPLAN_REQ, next, ts);
        }
        case TSPEC -> {
          DynamicMessage spec = c.parse("core.TestSpec", record.value());
          DynamicMessage next = c.build("core.TestGenRequest")
              .set("request_id", id)
              .set("spec_id", c.get(spec, "id"))
              .set("commit_sha", c.get(spec, "parent_commit_sha"))
              .done();
          hop(id, "test_build", TGEN_REQ, next, ts);
        }
        case GTRES -> {
          DynamicMessage tests = c.parse("core.GeneratedTests", record.value());
          hop(id, "build2", BUILD_REQ, buildRequest(id, 2, (String) c.get(tests, "commit_sha")), ts);
        }
        default -> {
          // not an input
        }
      }
    }

    private DynamicMessage buildRequest(String id, int round, String commitSha) {
      return c.build("core.BuildRequest")
          .set("request_id", id)
          .set("build_id", buildId(id, round))
          .set("commit_sha", commitSha)
          .set("round", round)
          .done();
    }

    /** Notes the request's new stage in the store and sends the command, keyed by the request id. */
    private void hop(String id, String stage, String topic, DynamicMessage command, long ts) {
      progress.put(id, stage);
      context.forward(new Record<>(id, command.toByteArray(), ts, headers(command, id)), sinkOf(topic));
    }
  }

  /** The relay's build ids (relayBuildId), from which the round of a report is read back. */
  static String buildId(String id, int round) {
    return id + "/build-" + round;
  }

  /** The standard headers of @pipeline/kafka's encodeRecord: x-message-type, x-request-id, x-produced-at, a new traceparent. */
  static RecordHeaders headers(DynamicMessage message, String id) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("x-message-type", message.getDescriptorForType().getFullName().getBytes(StandardCharsets.UTF_8));
    headers.add("x-request-id", id.getBytes(StandardCharsets.UTF_8));
    headers.add("x-produced-at", Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
    headers.add("traceparent", newTraceparent().getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  static String newTraceparent() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return String.format(
        "00-%016x%016x-%016x-01", random.nextLong() | 1L, random.nextLong(), random.nextLong() | 1L);
  }

  /** The protobuf messages of proto/ (the jar's descriptor set, made by `buf build`), read and written with DynamicMessage. */
  static final class Contracts {
    private final Map<String, Descriptor> messages;

    private Contracts(Map<String, Descriptor> messages) {
      this.messages = messages;
    }

    static Contracts load() throws IOException {
      try (InputStream in = BenchStreams.class.getResourceAsStream("/pipeline.binpb")) {
        if (in == null) throw new IOException("pipeline.binpb is not in the jar: build it with mvn package");
        FileDescriptorSet set = FileDescriptorSet.parseFrom(in);
        Map<String, FileDescriptor> files = new HashMap<>();
        Map<String, Descriptor> messages = new HashMap<>();
        // A buf image lists every file after the files it imports.
        for (FileDescriptorProto proto : set.getFileList()) {
          List<FileDescriptor> deps = new ArrayList<>();
          for (String dep : proto.getDependencyList()) deps.add(files.get(dep));
          FileDescriptor file;
          try {
            file = FileDescriptor.buildFrom(proto, deps.toArray(FileDescriptor[]::new));
          } catch (com.google.protobuf.Descriptors.DescriptorValidationException e) {
            throw new IOException("bad descriptor " + proto.getName(), e);
          }
          files.put(proto.getName(), file);
          for (Descriptor message : file.getMessageTypes()) messages.put(message.getFullName(), message);
        }
        return new Contracts(messages);
      }
    }

    Descriptor descriptor(String name) {
      Descriptor d = messages.get(name);
      if (d == null) throw new IllegalArgumentException("no message " + name + " in proto/");
      return d;
    }

    DynamicMessage parse(String name, byte[] bytes) {
      try {
        return DynamicMessage.parseFrom(descriptor(name), bytes);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("not a " + name + ": " + e.getMessage(), e);
      }
    }

    Object get(DynamicMessage message, String field) {
      return message.getField(field(message.getDescriptorForType(), field));
    }

    Builder build(String name) {
      return new Builder(DynamicMessage.newBuilder(descriptor(name)));
    }

    static FieldDescriptor field(Descriptor descriptor, String name) {
      FieldDescriptor f = descriptor.findFieldByName(name);
      if (f == null) throw new IllegalArgumentException("no field " + name + " in " + descriptor.getFullName());
      return f;
    }

    static final class Builder {
      private final DynamicMessage.Builder builder;

      Builder(DynamicMessage.Builder builder) {
        this.builder = builder;
      }

      Builder set(String name, Object value) {
        builder.setField(field(builder.getDescriptorForType(), name), value);
        return this;
      }

      DynamicMessage done() {
        return builder.build();
      }
    }
  }

  /** Removes the changelog topic of the store, so a run leaves no topic behind (the bench deletes the pipeline's). */
  static void deleteChangelog(String bootstrap, String appId) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      admin.deleteTopics(List.of(appId + "-" + STORE + "-changelog")).all().get(3, TimeUnit.SECONDS);
    } catch (Exception e) {
      log("warn", "changelog topic left: " + e, null);
    }
  }

  /** What cleanUp() leaves of the application's state directory (its lock and metadata files). */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log("warn", "state directory left: " + e, null);
    }
  }

  static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  /** One JSON line on stdout, like the project's services' logs (pino's shape). */
  static void log(String level, String msg, String more) {
    String line = "{\"level\":" + quote(level) + ",\"time\":" + System.currentTimeMillis()
        + ",\"service\":\"bench-streams\",\"msg\":" + quote(msg) + (more == null ? "" : "," + more) + "}";
    System.out.println(line);
    System.out.flush();
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (ch < 0x20) out.append(String.format("\\u%04x", (int) ch));
          else out.append(ch);
        }
      }
    }
    return out.append('"').toString();
  }
}
