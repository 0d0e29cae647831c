#!/bin/sh
# Creates the topics listed in topics.txt (one per line: name partitions replication configs) on the
# broker at $KAFKA_BOOTSTRAP, with the Kafka distribution's own CLI. Run by the one-shot kafka-init
# service of docker-compose.yml; safe to run again: topics that exist are left as they are.
#
#   KAFKA_BOOTSTRAP  broker to talk to              (default kafka:9092)
#   TOPICS_FILE      the list                       (default: topics.txt beside this script)
#   KAFKA_BIN        folder of kafka-topics.sh      (default /opt/kafka/bin, as in apache/kafka)
set -euf  # -f: no globbing; configs are split on commas below

bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
topics_file="${TOPICS_FILE:-$(dirname "$0")/topics.txt}"
kafka_topics="${KAFKA_BIN:-/opt/kafka/bin}/kafka-topics.sh"

# Every CLI call starts a JVM (seconds each): ask once which topics exist, then create only the rest.
existing="$("$kafka_topics" --bootstrap-server "$bootstrap" --list </dev/null)"

created=0
kept=0
while read -r name partitions replication configs rest; do
  case "$name" in '' | '#'*) continue ;; esac
  if [ -z "$partitions" ] || [ -z "$replication" ] || [ -n "${rest:-}" ]; then
    echo "create-topics: malformed line for topic '$name' in $topics_file" >&2
    exit 2
  fi
  if printf '%s\n' "$existing" | grep -Fqx -- "$name"; then
    echo "create-topics: $name exists"
    kept=$((kept + 1))
    continue
  fi
  set -- --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$replication"
  old_ifs="$IFS"
  IFS=','
  for config in ${configs:-}; do
    set -- "$@" --config "$config"
  done
  IFS="$old_ifs"
  # </dev/null: the CLI must not eat the rest of the list from this loop's standard input.
  "$kafka_topics" "$@" </dev/null
  echo "create-topics: $name created ($partitions partitions, replication $replication)"
  created=$((created + 1))
done <"$topics_file"

if [ $((created + kept)) -eq 0 ]; then
  echo "create-topics: no topics in $topics_file" >&2
  exit 2
fi
echo "create-topics: $created created, $kept already there"
