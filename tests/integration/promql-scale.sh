#!/usr/bin/env bash
# Integration (issue 15): a fleet of N hosts in a real Prometheus. The
# fake fleet exporter serves node_exporter series for N hosts from one
# target; Debian's prometheus scrapes it with honor_labels: true. Once
# every host is in, PromQL run straight against Prometheus must find the
# exporter's unhealthy hosts (its /expected: down, a disk over 90%, a
# failed unit, high load), by count and by name, and the tag labels. This
# proves the fixture the bot's metrics backend is tested and benched on;
# the bot's own /health all over it goes in the marked place below.
# The same checks run against Debian's victoria-metrics (ENGINE), which
# scrapes with the same config, to prove nothing here is Prometheus-only.
# usage: promql-scale.sh OPSBOT FAKE_FLEET_EXPORTER [N] [ENGINE]
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-fleet.sh"
bot_setup ob-pqs "$@"
N=${3:-1000}
export FLEET_ENGINE=${4:-prometheus}
SEED=42
on_cleanup fleet_stop

fleet_start "$FAKE" "$T" "$N" --seed "$SEED" || { bad "the exporter starts" "see above"; assert_done; exit; }
fleet_prom_start "$T" 2s || { bad "$FLEET_ENGINE starts" "see above"; assert_done; exit; }
if fleet_wait_ingested "$N" 90; then ok "$FLEET_ENGINE sees $N hosts (count(up{job=\"node\"}))"; else
  bad "$FLEET_ENGINE sees $N hosts" "$(tail -5 "$T/prom.log")"; assert_done; exit
fi

E=$FLEET_EXPECTED
exp_n() { jq -r ".$1 | length" "$E"; }
exp_names() { jq -r ".$1[]" "$E" | sort; }
# The host names of an instant vector's results ("host-00042").
names_of() {
  promq_json "$1" | jq -r '.data.result[].metric.instance | sub(":9100$"; "")' | sort
}
DOWN=$(exp_n down)
if [ "$DOWN" -gt 0 ] && [ "$(exp_n disk_full)" -gt 0 ] && [ "$(exp_n unit_failed)" -gt 0 ] &&
  [ "$(exp_n high_load)" -gt 0 ]; then
  ok "the exporter chose unhealthy hosts of each kind"
else
  bad "the exporter chose unhealthy hosts of each kind" "$(cat "$E")"
fi

# Every family is there for every host that is up; nothing is there for
# a down host (as when its node_exporter cannot be scraped).
equals "hosts down" "$(promq 'count(up{job="node"} == 0)')" "$DOWN"
equals "down hosts by name" "$(names_of 'up{job="node"} == 0')" "$(exp_names down)"
equals "count(node_load1): the hosts that are up" "$(promq 'count(node_load1)')" $((N - DOWN))
for m in node_memory_MemAvailable_bytes node_memory_MemTotal_bytes node_boot_time_seconds; do
  equals "count($m)" "$(promq "count($m)")" $((N - DOWN))
done
equals "CPUs per host (idle series)" \
  "$(promq 'count(count by (instance) (node_cpu_seconds_total{mode="idle"}) != 2)')" ""
equals "three filesystems per host" \
  "$(promq 'count(node_filesystem_size_bytes)')" $((3 * (N - DOWN)))
equals "two units, five states each, per host" \
  "$(promq 'count(node_systemd_unit_state)')" $((10 * (N - DOWN)))

# The unhealthy hosts, as a fleet /health would find them: one query each.
DISK='max by (instance) (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}) > 0.9'
equals "disks over 90% (tmpfs excluded)" "$(promq "count($DISK)")" "$(exp_n disk_full)"
equals "disks over 90% by name" "$(names_of "$DISK")" "$(exp_names disk_full)"
UNIT='node_systemd_unit_state{state="failed"} == 1'
equals "failed units" "$(promq "count($UNIT)")" "$(exp_n unit_failed)"
equals "failed units by name" "$(names_of "$UNIT")" "$(exp_names unit_failed)"
LOAD='node_load5 > on (instance) (2 * count by (instance) (node_cpu_seconds_total{mode="idle"}))'
equals "load over 2 per CPU" "$(promq "count($LOAD)")" "$(exp_n high_load)"
equals "high load by name" "$(names_of "$LOAD")" "$(exp_names high_load)"
# The CPU counters move with time: the loaded hosts are the ones under
# 50% idle (needs two scrapes in the window: poll until there are).
IDLE='avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[20s])) < 0.5'
got=
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
  got=$(promq "count($IDLE)")
  [ "$got" = "$(exp_n high_load)" ] && break
  sleep 1
done
equals "rate(): hosts under 50% idle" "$got" "$(exp_n high_load)"
# Healthy hosts stay clear of every threshold.
equals "memory: no host under 30% available" \
  "$(promq 'count(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.3)')" ""

# Tags: env by i % 10 (1-7 prod, 8-9 staging, 0 dev), role by i % 4.
prod=0
for i in $(seq 1 "$N"); do [ $((i % 10)) -ge 1 ] && [ $((i % 10)) -le 7 ] && prod=$((prod + 1)); done
equals "env=prod hosts" "$(promq 'count(up{job="node",env="prod"})')" "$prod"
equals "role=db hosts" "$(promq 'count(up{job="node",role="db"})')" $((N / 4))
equals "the seed is the exporter's" "$(jq -r .seed "$E")" "$SEED"

# --- the bot: /health all over this metrics source ----------------------------
# The bot's own /health and /disk over such a fleet are checked in
# integration/promql-fleet (counts against /expected, a fixed number of
# queries); bench/bench-fleet-bot.sh times them at 5,000 hosts.
: "$BOT"

assert_done
