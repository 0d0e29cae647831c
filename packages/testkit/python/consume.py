#!/usr/bin/env python3
"""Read records with librdkafka (confluent-kafka), as a Python or C agent would.

Tests use it to check that what the pipeline writes (e.g. compressed batches) is read by other
clients. packages/testkit/src/python.ts runs it in the tooling venv (requirements.txt beside this
file); it also runs by hand:

  python consume.py --bootstrap 127.0.0.1:9092 --topic t --count 3

It reads every partition of the given topics from the beginning, by assignment (no consumer group,
nothing committed), read_committed, until --count records have arrived.

Options: --bootstrap HOST:PORT[,...] (required), --topic NAME (repeatable, required), --count N
(required), --timeout SECONDS (default 60), --config KEY=VALUE (repeatable: any librdkafka consumer
setting, e.g. isolation.level=read_uncommitted).

stdout: one JSON line per record, in the order read, in produce.py's input shape plus where it was:
  {"topic", "partition", "offset", "key": "<base64>" | null, "value": "<base64>" | null,
   "headers": [["name", "<base64>" | null], ...]}
Exit status: 0 when --count records were read; 1 on a consume error or when the timeout passed
first (told on stderr); 2 on bad options.
"""

import argparse
import base64
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition


def parse_args():
    parser = argparse.ArgumentParser(description="Read records with librdkafka as JSON lines.")
    parser.add_argument("--bootstrap", required=True, help="bootstrap.servers")
    parser.add_argument("--topic", action="append", required=True, help="topic to read (repeatable)")
    parser.add_argument("--count", type=int, required=True, help="records to read before exiting")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for them")
    parser.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE", help="any consumer setting"
    )
    return parser.parse_args()


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def main():
    args = parse_args()
    config = {
        "bootstrap.servers": args.bootstrap,
        # Required by the client even though nothing joins a group or commits.
        "group.id": "pipeline-testkit-consume",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    }
    for setting in args.config:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            print(f"consume.py: --config {setting!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        config[key] = value
    try:
        consumer = Consumer(config)
    except Exception as error:  # KafkaException for an unknown or invalid setting
        print(f"consume.py: cannot create the consumer: {error}", file=sys.stderr)
        return 2

    deadline = time.monotonic() + args.timeout
    try:
        partitions = []
        for topic in args.topic:
            metadata = consumer.list_topics(topic, timeout=max(1.0, deadline - time.monotonic()))
            described = metadata.topics.get(topic)
            if described is None or described.error is not None:
                reason = described.error if described is not None else "not found"
                print(f"consume.py: topic {topic}: {reason}", file=sys.stderr)
                return 1
            partitions += [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(described.partitions)]
        consumer.assign(partitions)

        read = 0
        while read < args.count:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"consume.py: read {read} of {args.count} records in {args.timeout} s", file=sys.stderr)
                return 1
            message = consumer.poll(min(left, 1.0))
            if message is None:
                continue
            if message.error() is not None:
                print(f"consume.py: consume error: {message.error()}", file=sys.stderr)
                return 1
            record = {
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "key": b64(message.key()),
                "value": b64(message.value()),
                "headers": [[name, b64(value)] for name, value in (message.headers() or [])],
            }
            print(json.dumps(record), flush=True)
            read += 1
        return 0
    except KafkaException as error:
        print(f"consume.py: {error}", file=sys.stderr)
        return 1
    finally:
        consumer.close()


if __name__ == "__main__":
    sys.exit(main())
