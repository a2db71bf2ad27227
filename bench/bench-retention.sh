#!/usr/bin/env bash
# Benchmark: the store after a simulated year of a busy team (200
# commands, 500 alerts with 3 events, 2 checklist runs and 1,202 chat
# messages a day), once without retention and once with the default ages
# pruned at the end of each day. Prints the size every 30 days; with
# retention it levels off once the ages are reached.
# usage: bench-retention.sh BUILD_DIR [DAYS]
set -eu
BUILD=$(realpath "$1")
DAYS=${2:-365}
T=$(mktemp -d /tmp/ob-br.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$BUILD/bench/bench-retention" "$DAYS" "$T"
