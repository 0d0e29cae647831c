#!/usr/bin/env python3
"""A builder agent in Python, written from docs/protocol.md alone (no TypeScript involved).

For every BuildRequest on ``build.request.in`` it runs BUILD_COMMAND (a shell command; default
``exit 0``) with BUILD_REQUEST_ID, BUILD_COMMIT and BUILD_ROUND in its environment, and answers one
BuildReport on ``build.report.out``: PASSED when the command exits 0, FAILED otherwise. What the
protocol asks of an agent, and where this file does it:

* one consumer group per role (``<prefix>agent-builder``), ``isolation.level=read_committed``, a new
  group starting at ``earliest`` (commands sent before it first joined are answered);
* the reply keyed by the request id (the command's key), with the standard headers
  ``x-message-type``, ``x-request-id``, ``x-produced-at`` and a child ``traceparent``;
* ``acks=all``, idempotence, any compression (lz4 here), and the Java client's partitioner
  (``murmur2_random``), so a reply lands on its request's partition without a forwarding hop;
* the offset committed only after the reply is delivered (at-least-once: the orchestrator refuses a
  repeated answer);
* while a build runs, an AgentProgress on ``agent.progress.out`` every AGENT_PROGRESS_SECONDS (default
  5), keyed by the request id, naming the stage (``build1`` or ``build2``): the stage's deadline counts
  from the last one, so a long build is not regressed while it still runs;
* ``max.poll.interval.ms`` as long as the longest build (AGENT_MAX_TASK_SECONDS, default 3600): the
  loop does not poll while it builds, and librdkafka would otherwise leave the group after 5 min;
* a command that cannot be decoded goes to ``orchestrator.dlq`` with its original bytes and the reason.

Settings: KAFKA_BOOTSTRAP (required), PIPELINE_TOPIC_PREFIX, AGENT_GROUP, AGENT_COMPRESSION (default
lz4), AGENT_PROGRESS_SECONDS, AGENT_MAX_TASK_SECONDS, BUILD_COMMAND. Needs confluent-kafka and pipeline_contracts (pip install ./python/pipeline_contracts).
Stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer
from google.protobuf.message import DecodeError
from pipeline_contracts import AgentProgress, BuildReport, BuildRequest

PREFIX = os.environ.get("PIPELINE_TOPIC_PREFIX", "")
COMMANDS = PREFIX + "build.request.in"
REPLIES = PREFIX + "build.report.out"
DLQ = PREFIX + "orchestrator.dlq"
PROGRESS = PREFIX + "agent.progress.out"


def log(level: str, msg: str, **fields) -> None:
    print(json.dumps({"level": level, "time": time.time(), "service": "python-builder", "msg": msg, **fields}), flush=True)


def child_traceparent(parent: str | None) -> str:
    """W3C trace context: the same trace and flags as the command's, a span of our own."""
    parts = (parent or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32 and len(parts[3]) == 2:
        return f"00-{parts[1]}-{secrets.token_hex(8)}-{parts[3]}"
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def build(request_id: str, request: BuildRequest, progress) -> str:
    """Runs BUILD_COMMAND; while it runs, reports progress every AGENT_PROGRESS_SECONDS."""
    command = os.environ.get("BUILD_COMMAND", "exit 0")
    every = float(os.environ.get("AGENT_PROGRESS_SECONDS", "5"))
    env = {**os.environ, "BUILD_REQUEST_ID": request_id, "BUILD_COMMIT": request.commit_sha, "BUILD_ROUND": str(request.round)}
    started = time.monotonic()
    process = subprocess.Popen(["sh", "-c", command], env=env)
    while True:
        try:
            code = process.wait(timeout=every)
            break
        except subprocess.TimeoutExpired:
            progress(f"building {request.commit_sha[:12] or '(no commit)'}: {int(time.monotonic() - started)} s")
    return "PASSED" if code == 0 else "FAILED"


def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
    if not bootstrap:
        print("KAFKA_BOOTSTRAP is required: the Kafka bootstrap servers, e.g. 127.0.0.1:9092", file=sys.stderr)
        return 2
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": os.environ.get("AGENT_GROUP", PREFIX + "agent-builder"),
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "max.poll.interval.ms": int(float(os.environ.get("AGENT_MAX_TASK_SECONDS", "3600")) * 1000),
    })
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "acks": "all",
        "enable.idempotence": True,
        "compression.type": os.environ.get("AGENT_COMPRESSION", "lz4"),
        "partitioner": "murmur2_random",
    })
    failures: list[str] = []

    def delivered(err, _msg) -> None:
        if err is not None:
            failures.append(str(err))

    def send(topic: str, key: bytes | None, value: bytes, headers: list) -> None:
        failures.clear()
        producer.produce(topic, key=key, value=value, headers=headers, on_delivery=delivered)
        if producer.flush(60) > 0 or failures:
            raise KafkaException(f"reply not delivered: {failures or 'flush timed out'}")

    running = True

    def stop(*_args) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    consumer.subscribe([COMMANDS])
    log("info", "agent running", reads=COMMANDS, answers=REPLIES)
    while running:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            log("warn", "consumer error", error=str(msg.error()))
            continue
        headers = {k: v for k, v in (msg.headers() or [])}
        try:
            request = BuildRequest.FromString(msg.value() or b"")
        except DecodeError as error:
            # The original bytes and headers, plus why: nothing is lost, the loop goes on.
            send(DLQ, msg.key(), msg.value() or b"", [*(msg.headers() or []),
                 ("x-dlq-reason", b"undecodable"), ("x-dlq-error", str(error).encode()),
                 ("x-dlq-source-topic", msg.topic().encode()), ("x-dlq-source-partition", str(msg.partition()).encode()),
                 ("x-dlq-source-offset", str(msg.offset()).encode()), ("x-dlq-at", str(int(time.time() * 1000)).encode())])
            consumer.commit(message=msg, asynchronous=False)
            continue
        request_id = (msg.key() or b"").decode() or request.request_id
        stage = "build2" if request.round == 2 else "build1"

        def progress(note: str) -> None:
            # A sign of life, not a reply: not waited for, and losing one costs nothing.
            report = AgentProgress(request_id=request_id, stage=stage, note=note)
            producer.produce(PROGRESS, key=request_id.encode(), value=report.SerializeToString(), headers=[
                ("x-message-type", b"core.AgentProgress"),
                ("x-request-id", request_id.encode()),
                ("x-produced-at", str(int(time.time() * 1000)).encode()),
            ])
            producer.poll(0)

        status = build(request_id, request, progress)
        # The attempt echoed: a reply for an earlier attempt of a retried request is refused as stale.
        reply = BuildReport(commit_sha=request.commit_sha, build_id=request.build_id, status=status, attempt=request.attempt)
        parent = headers.get("traceparent")
        send(REPLIES, request_id.encode(), reply.SerializeToString(), [
            ("x-message-type", b"core.BuildReport"),
            ("x-request-id", request_id.encode()),
            ("x-produced-at", str(int(time.time() * 1000)).encode()),
            ("traceparent", child_traceparent(parent.decode() if parent else None).encode()),
        ])
        consumer.commit(message=msg, asynchronous=False)
        log("info", "handled command", requestId=request_id, round=request.round, status=status)
    consumer.close()
    producer.flush(10)
    log("info", "agent stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
