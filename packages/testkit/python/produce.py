#!/usr/bin/env python3
"""Produce records with librdkafka (confluent-kafka), as a Python or C agent would.

Tests use it to write what kafkajs never writes: compressed batches (gzip, snappy, lz4, zstd),
librdkafka's partitioners, headers of any bytes. packages/testkit/src/python.ts runs it in the
tooling venv (requirements.txt beside this file); it also runs by hand:

  echo '{"topic": "t", "key": "a2V5", "value": "dmFsdWU="}' | python produce.py \
      --bootstrap 127.0.0.1:9092 --compression lz4

stdin: one JSON object per line (blank lines are skipped):
  {"topic": "name",               physical topic name, required
   "partition": 0,                optional; otherwise the partitioner decides by key
   "key": "<base64>" | null,      optional; null or absent = no key
   "value": "<base64>" | null,    optional; null or absent = null value (a tombstone)
   "headers": [["name", "<base64>" | null], ...]}   optional; order and repeated names kept

Options: --bootstrap HOST:PORT[,...] (required), --compression none|gzip|snappy|lz4|zstd
(default none), --partitioner NAME (librdkafka's: consistent_random (its default), murmur2_random
(the Java client's), ...), --config KEY=VALUE (repeatable: any librdkafka producer setting, e.g.
linger.ms=100, enable.idempotence=true).

stdout: one JSON line per delivered record, in delivery order: {"topic", "partition", "offset"}.
Exit status: 0 when every record was delivered; 1 on any delivery or client error (told on stderr);
2 on bad input or options.
"""

import argparse
import base64
import json
import sys

from confluent_kafka import Producer

COMPRESSIONS = ("none", "gzip", "snappy", "lz4", "zstd")


def parse_args():
    parser = argparse.ArgumentParser(description="Produce JSON-lines records with librdkafka.")
    parser.add_argument("--bootstrap", required=True, help="bootstrap.servers")
    parser.add_argument("--compression", default="none", choices=COMPRESSIONS)
    parser.add_argument("--partitioner", help="librdkafka partitioner, e.g. murmur2_random")
    parser.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE", help="any producer setting"
    )
    return parser.parse_args()


def b64(field, value, line_no):
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"line {line_no}: {field} must be a base64 string or null")
    return base64.b64decode(value, validate=True)


def read_records(stream):
    records = []
    for line_no, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        obj = json.loads(line)
        if not isinstance(obj, dict) or not isinstance(obj.get("topic"), str) or not obj["topic"]:
            raise ValueError(f"line {line_no}: needs a non-empty string 'topic'")
        record = {
            "topic": obj["topic"],
            "key": b64("key", obj.get("key"), line_no),
            "value": b64("value", obj.get("value"), line_no),
            "headers": [],
        }
        if obj.get("partition") is not None:
            partition = obj["partition"]
            if not isinstance(partition, int) or partition < 0:
                raise ValueError(f"line {line_no}: partition must be a whole number >= 0")
            record["partition"] = partition
        for pair in obj.get("headers") or []:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ValueError(f"line {line_no}: headers must be [name, base64 value] pairs")
            record["headers"].append((pair[0], b64(f"header {pair[0]}", pair[1], line_no)))
        records.append(record)
    return records


def main():
    args = parse_args()
    config = {
        "bootstrap.servers": args.bootstrap,
        "compression.type": args.compression,
        # A delivery that cannot succeed fails within this time instead of retrying forever.
        "message.timeout.ms": 30000,
    }
    if args.partitioner:
        config["partitioner"] = args.partitioner
    for setting in args.config:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            print(f"produce.py: --config {setting!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        config[key] = value

    try:
        records = read_records(sys.stdin)
    except ValueError as error:
        print(f"produce.py: bad input: {error}", file=sys.stderr)
        return 2

    errors = []

    def on_error(error):
        # Client-level errors. librdkafka retries the others itself (a record it cannot deliver
        # fails in on_delivery after message.timeout.ms); they are told, not counted.
        if error.fatal():
            errors.append(f"fatal client error: {error}")
        else:
            print(f"produce.py: client error (retried): {error}", file=sys.stderr)

    def on_delivery(error, message):
        if error is not None:
            errors.append(f"delivery to {message.topic()} failed: {error}")
            return
        report = {"topic": message.topic(), "partition": message.partition(), "offset": message.offset()}
        print(json.dumps(report), flush=True)

    config["error_cb"] = on_error
    try:
        producer = Producer(config)
    except Exception as error:  # KafkaException for an unknown or invalid setting
        print(f"produce.py: cannot create the producer: {error}", file=sys.stderr)
        return 2

    for record in records:
        kwargs = {"key": record["key"], "value": record["value"], "on_delivery": on_delivery}
        if record["headers"]:
            kwargs["headers"] = record["headers"]
        if "partition" in record:
            kwargs["partition"] = record["partition"]
        while True:
            try:
                producer.produce(record["topic"], **kwargs)
                break
            except BufferError:
                producer.poll(0.1)  # the local queue is full: let deliveries drain it
    remaining = producer.flush(60)
    if remaining > 0:
        errors.append(f"{remaining} record(s) not delivered after 60 s")
    for error in errors:
        print(f"produce.py: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
