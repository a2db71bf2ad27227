# shellcheck shell=bash
# lib-fleet.sh: a simulated fleet in a real Prometheus (or VictoriaMetrics),
# for the scale test and bench/bench-fleet.sh. tests/fakes/
# fake-fleet-exporter serves the node_exporter series of N hosts from one
# target; Debian's prometheus or victoria-metrics scrapes it with
# honor_labels: true, so PromQL sees N hosts. Source it.
#
#   fleet_start EXPORTER DIR N [ARGS...]
#                           start the exporter for N hosts (ARGS: its
#                           options, e.g. --seed 7); exports FLEET_PID,
#                           FLEET_PORT, and FLEET_EXPECTED (the path of
#                           its /expected JSON, fetched once).
#   fleet_prom_start DIR [INTERVAL]
#                           start the engine ($FLEET_ENGINE: prometheus,
#                           the default, or victoria-metrics, which
#                           reads the same scrape config) scraping it
#                           every INTERVAL (default 2s); exports
#                           PROM_PID, PROM_URL (the engine's base URL).
#   fleet_wait_ingested N SECONDS
#                           wait until count(up{job="node"}) is N; 1 when
#                           it never is (the log's tail on stderr).
#   promq QUERY             an instant query through the HTTP API: the
#                           value of the first result (a scalar's too),
#                           empty when there is none.
#   promq_json QUERY        the whole answer's JSON.
#   fleet_stop              stop both. Safe to call twice.
# The servers get SIGTERM if the calling shell dies (setpriv --pdeathsig).
# Call the start functions directly, not in $(...), so they stay children
# of the calling shell.

FLEET_PID=
PROM_PID=
PROM_URL=

_fleet_guard() {
  if command -v setpriv >/dev/null 2>&1; then
    exec setpriv --pdeathsig TERM -- "$@"
  fi
  exec "$@"
}

_fleet_free_port() {
  local p
  for _ in $(seq 50); do
    # Below the kernel's ephemeral range (32768-60999 by default), so a
    # connection made meanwhile cannot take the port before the engine
    # binds it (a CI run lost one so).
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

fleet_start() { # EXPORTER DIR N [ARGS...]
  local exe=$1 dir=$2 n=$3
  shift 3
  mkdir -p "$dir" && rm -f "$dir/fleet.port"
  _fleet_guard "$exe" "$dir/fleet.port" --hosts "$n" "$@" \
    </dev/null 2>"$dir/fleet.log" &
  FLEET_PID=$!
  for _ in $(seq 200); do [ -s "$dir/fleet.port" ] && break; sleep 0.05; done
  FLEET_PORT=$(cat "$dir/fleet.port" 2>/dev/null)
  FLEET_DIR=$dir
  FLEET_EXPECTED=$dir/fleet-expected.json
  if [ -z "$FLEET_PORT" ] ||
    ! curl -sf "http://127.0.0.1:$FLEET_PORT/expected" -o "$FLEET_EXPECTED"; then
    echo "lib-fleet: the exporter did not start: $(tail -3 "$dir/fleet.log")" >&2
    return 1
  fi
  export FLEET_PID FLEET_PORT FLEET_DIR FLEET_EXPECTED
}

fleet_prom_start() { # DIR [INTERVAL]
  local dir=$1 iv=${2:-2s} port engine=${FLEET_ENGINE:-prometheus}
  if ! command -v "$engine" >/dev/null; then
    echo "lib-fleet: $engine not found (scripts/deps.sh test)" >&2
    return 1
  fi
  port=$(_fleet_free_port) || return 1
  # honor_labels: the exposition's job and instance are the hosts', as
  # with federation; the target's own up is under job="fleet".
  cat >"$dir/prometheus.yml" <<YML
global: { scrape_interval: $iv, scrape_timeout: $iv }
scrape_configs:
  - job_name: fleet
    honor_labels: true
    static_configs: [ { targets: ["127.0.0.1:$FLEET_PORT"] } ]
YML
  case $engine in
  victoria-metrics)
    # latencyOffset 0: answer with what was scraped just now (by default
    # the last 30 s are left out of instant queries). maxScrapeSize: the
    # one target carries a fleet (5,000 hosts are 20 MB; 16 MiB by default).
    _fleet_guard victoria-metrics -promscrape.config="$dir/prometheus.yml" \
      -storageDataPath="$dir/vm" -httpListenAddr="127.0.0.1:$port" \
      -search.latencyOffset=0s -promscrape.maxScrapeSize=256MiB -loggerLevel=WARN </dev/null >"$dir/prom.log" 2>&1 &
    ;;
  *)
    _fleet_guard prometheus --config.file="$dir/prometheus.yml" \
      --storage.tsdb.path="$dir/prom" --web.listen-address="127.0.0.1:$port" \
      --log.level=warn </dev/null >"$dir/prom.log" 2>&1 &
    ;;
  esac
  PROM_PID=$!
  PROM_URL=http://127.0.0.1:$port
  export PROM_PID PROM_URL
}

promq_json() {
  curl -sf --max-time 30 "$PROM_URL/api/v1/query" --data-urlencode "query=$1"
}

promq() {
  promq_json "$1" 2>/dev/null | jq -r '.data.result |
    if type == "array" then (.[0].value[1] // empty) else .[1] end' 2>/dev/null
}

fleet_wait_ingested() { # N SECONDS
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(promq 'count(up{job="node"})')" = "$1" ] && return 0
    kill -0 "$PROM_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "lib-fleet: ${FLEET_ENGINE:-prometheus} did not see $1 hosts: $(promq 'count(up{job="node"})')" >&2
  tail -5 "$FLEET_DIR/prom.log" >&2
  return 1
}

fleet_stop() {
  local p
  for p in "$PROM_PID" "$FLEET_PID"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  PROM_PID=''
  FLEET_PID=''
  return 0
}
