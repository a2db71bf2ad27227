#!/usr/bin/env bash
# Integration: /health and /disk over a real PromQL engine (Debian's
# prometheus, or victoria-metrics: the same test proves the API is not
# Prometheus-only) scraping a real prometheus-node-exporter on loopback,
# plus a tiny static exporter (python3 http.server serving one file)
# scraped with honor_labels that carries two fake hosts: one with a
# mount over its critical threshold, a failed unit and a high load. The
# engine requires basic auth. Checks real values (the root file system's
# use against df), worst first, tags from labels, the --via routing, and
# the errors: an engine that is down is named, a wrong password is a 401
# named, a PromQL error carries the engine's own message.
# usage: promql.sh OPSBOT ENGINE   (ENGINE: prometheus | victoria-metrics)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-promql "$1"
ENGINE=$2
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
for b in "$ENGINE" "$NODE_EXPORTER" python3; do
  command -v "$b" >/dev/null || { echo "SKIP: no $b (scripts/deps.sh test)"; exit 77; }
done
pids=()
on_cleanup 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done'

# Free loopback ports, asked of the kernel (bound, then released).
read -r NP FP EP DEAD SLOW < <(python3 - <<'PY'
import socket
ss = [socket.socket() for _ in range(5)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
PY
)

# --- the exporters -----------------------------------------------------------
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NP" --collector.disable-defaults \
  --collector.filesystem --collector.loadavg --collector.meminfo --collector.cpu \
  >"$T/node.log" 2>&1 &
pids+=($!)
mkdir -p "$T/fleet"
# Two hosts in one file, as a fleet exporter would serve thousands.
{
  for h in "fake-full staging 5 9500000000" "fake-ok staging 0.1 1000000000"; do
    set -- $h
    l="job=\"node\",host=\"$1\",env=\"$2\""
    echo "node_load1{$l} $3"
    echo "node_load5{$l} $3"
    echo "node_memory_MemAvailable_bytes{$l} 4000000000"
    echo "node_memory_MemTotal_bytes{$l} 8000000000"
    echo "node_cpu_seconds_total{$l,cpu=\"0\",mode=\"idle\"} 100"
    echo "node_cpu_seconds_total{$l,cpu=\"1\",mode=\"idle\"} 100"
    free=$((10000000000 - $4))
    echo "node_filesystem_size_bytes{$l,mountpoint=\"/data\",fstype=\"ext4\",device=\"/dev/x\"} 10000000000"
    echo "node_filesystem_free_bytes{$l,mountpoint=\"/data\",fstype=\"ext4\",device=\"/dev/x\"} $free"
    echo "node_filesystem_avail_bytes{$l,mountpoint=\"/data\",fstype=\"ext4\",device=\"/dev/x\"} $free"
    echo "node_filesystem_size_bytes{$l,mountpoint=\"/dev/shm\",fstype=\"tmpfs\",device=\"tmpfs\"} 100"
    echo "node_filesystem_free_bytes{$l,mountpoint=\"/dev/shm\",fstype=\"tmpfs\",device=\"tmpfs\"} 1"
    echo "node_filesystem_avail_bytes{$l,mountpoint=\"/dev/shm\",fstype=\"tmpfs\",device=\"tmpfs\"} 1"
  done
  echo 'node_systemd_unit_state{job="node",host="fake-full",env="staging",name="payment.service",state="failed"} 1'
  echo 'node_systemd_unit_state{job="node",host="fake-full",env="staging",name="payment.service",state="active"} 0'
  echo 'node_systemd_unit_state{job="node",host="fake-ok",env="staging",name="payment.service",state="failed"} 0'
  echo 'node_systemd_unit_state{job="node",host="fake-ok",env="staging",name="payment.service",state="active"} 1'
} >"$T/fleet/metrics"
(cd "$T/fleet" && exec python3 -m http.server --bind 127.0.0.1 "$FP") >"$T/fleet.log" 2>&1 &
pids+=($!)
# An engine that accepts and never answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$SLOW" >"$T/slow.log" 2>&1 &
pids+=($!)

# --- the engine, with basic auth ---------------------------------------------
cat >"$T/scrape.yml" <<YML
global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:$NP"]
        labels: { host: node-a, env: test }
      - targets: ["127.0.0.1:$DEAD"]
        labels: { host: node-dead, env: test }
  - job_name: fleet
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:$FP"]
YML
PASS=right-pass
case "$ENGINE" in
*victoria*)
  "$ENGINE" -promscrape.config="$T/scrape.yml" -storageDataPath="$T/vm" \
    -httpListenAddr="127.0.0.1:$EP" -search.latencyOffset=1s \
    -httpAuth.username=opsbot -httpAuth.password="$PASS" >"$T/engine.log" 2>&1 &
  pids+=($!) ;;
*)
  hash=$(python3 -W ignore -c "import crypt; print(crypt.crypt('$PASS', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))")
  case "$hash" in '$2'*) ;; *) echo "SKIP: no bcrypt for the web config"; exit 77 ;; esac
  printf 'basic_auth_users:\n  opsbot: %s\n' "$hash" >"$T/web.yml"
  "$ENGINE" --config.file="$T/scrape.yml" --storage.tsdb.path="$T/tsdb" \
    --web.listen-address="127.0.0.1:$EP" --web.config.file="$T/web.yml" >"$T/engine.log" 2>&1 &
  pids+=($!) ;;
esac
E="http://127.0.0.1:$EP"
q() { curl -s -u "opsbot:$PASS" --data-urlencode "query=$1" "$E/api/v1/query"; }
# Scraped: node-a up, the fake hosts' series in, node-dead known down.
deadline=$((SECONDS + 90))
until [ "$(q 'up{host="node-a"}' | jq -r '.data.result[0].value[1]' 2>/dev/null)" = 1 ] &&
  [ "$(q 'count(node_load5{host=~"fake-.*"})' | jq -r '.data.result[0].value[1]' 2>/dev/null)" = 2 ] &&
  [ "$(q 'up{host="node-dead"}' | jq -r '.data.result[0].value[1]' 2>/dev/null)" = 0 ] &&
  [ "$(q 'count(node_filesystem_avail_bytes{host="node-a",mountpoint="/"})' | jq -r '.data.result[0].value[1]' 2>/dev/null)" = 1 ]; do
  if [ $SECONDS -ge $deadline ]; then
    bad "$ENGINE scrapes the exporters" "$(tail -5 "$T/engine.log")" "$(q up)"
    assert_done
  fi
  sleep 0.5
done
ok "$ENGINE scrapes node_exporter and the fleet file"

# --- the bot -----------------------------------------------------------------
mkdir -p "$T/data"
printf 'wrong-pass' >"$T/wrong.pw"
chmod 600 "$T/wrong.pw"
cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data" },
  "chat": { "console": { "enabled": true, "user": "op" } },
  "alerts": { "listen": "127.0.0.1:0", "checks": { "interval": "1s", "fire_after": 1 } },
  "users": [ { "name": "op", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "hosts": [ { "name": "here", "transport": "local", "tags": ["box"] } ],
  "metrics_sources": [
    { "name": "eng", "url": "$E/", "user": "opsbot", "password": "$PASS",
      "host_label": "host", "tag_labels": ["env"], "timeout": "5s" },
    { "name": "gone", "url": "http://127.0.0.1:$DEAD", "timeout": "2s" },
    { "name": "slow", "url": "http://127.0.0.1:$SLOW", "timeout": "1s" },
    { "name": "locked", "url": "$E", "user": "opsbot", "password_file": "$T/wrong.pw" },
    { "name": "badre", "url": "$E", "user": "opsbot", "password": "$PASS",
      "host_label": "host", "fstype_exclude": "(tmpfs" }
  ],
  "fleet": { "summary_over": 3, "worst": 2 },
  "web": { "enabled": true, "token": "web-token-5d1e" },
  "runbooks": { "base_url": "http://127.0.0.1" },
  "checklists": { "fleetdisk": { "title": "Fleet disks", "checks": [
    { "title": "staging disks", "kind": "disk_below", "hosts": "staging", "via": "metrics" },
    { "title": "node-a root", "kind": "disk_below", "hosts": "node-a", "via": "metrics",
      "mounts": ["/"], "max_pct": 100 },
    { "title": "payment up", "kind": "services_running", "hosts": "staging", "via": "metrics",
      "services": ["payment"] } ] } } }
JSON
"$BOT" --check-config "$T/opsbot.json" >/dev/null 2>&1 && ok "the config checks" ||
  bad "the config checks" "$("$BOT" --check-config "$T/opsbot.json" 2>&1)"
mkfifo "$T/in"
"$BOT" --config "$T/opsbot.json" <"$T/in" >"$T/out" 2>"$T/err" &
bot_pid=$!
exec 3>"$T/in"
on_cleanup 'exec 3>&-'
# One command at a time: its answer is what the console prints after it,
# once NEEDLE (a line every answer of it has) shows; one message each.
ask() { # COMMAND NEEDLE: prints its answer
  local before deadline=$((SECONDS + 40))
  before=$(wc -c <"$T/out")
  printf '%s\n' "$1" >&3
  until tail -c +"$((before + 1))" "$T/out" | grep -qF -- "$2"; do
    [ $SECONDS -ge $deadline ] && break
    sleep 0.1
  done
  tail -c +"$((before + 1))" "$T/out"
}

out=$(ask "/disk node-a" "node-a:")
contains "/disk of a metrics host comes from the engine" "$out" "node-a: (eng)"
mine=$(printf '%s\n' "$out" | awk '$1 == "/" && $3 == "used" { sub("%", "", $2); print $2 }')
df_pct=$(df -P / | awk 'NR == 2 { sub("%", "", $5); print $5 }')
if [ -n "$mine" ] && [ $((mine - df_pct)) -le 1 ] && [ $((df_pct - mine)) -le 1 ]; then
  ok "/'s use matches df within a point ($mine% vs $df_pct%)"
else
  bad "/'s use matches df within a point" "bot: '$mine' df: '$df_pct'" "$out"
fi

out=$(ask "/health all" "more hosts not shown")
contains "/health all: the title counts the fleet's states" "$out" "all: 4 hosts from metrics"
contains "the dead target is UNREACHABLE" "$out" "node-dead: UNREACHABLE — eng: the last scrape failed (up is 0)"
contains "the full mount is critical, same thresholds as ssh" "$out" "disk /data: 95% used (critical at 90%)"
contains "a failed systemd unit is critical" "$out" "service payment.service: failed"
contains "load over twice the CPUs warns" "$out" "load 5.00 over 5 min on 2 cpu"
contains "an engine that is down is named" "$out" "gone (http://127.0.0.1:$DEAD):"
contains "an engine that does not answer in time is named" "$out" "slow (http://127.0.0.1:$SLOW): no answer in 1 s"
contains "a wrong password is a 401, named" "$out" "locked ($E): HTTP 401: the user or password was refused"
contains "a PromQL error carries the engine's message" "$out" "missing closing )"
contains "... named by its source" "$out" "badre: "
lacks "the password never shows" "$out" "$PASS"
lacks "tmpfs is not a disk" "$out" "/dev/shm"
# Worst first: UNREACHABLE, then CRIT, before the OK hosts; cut at worst=2.
first=$(printf '%s\n' "$out" | grep -E '^(node|fake)-[a-z-]+: ' | head -2 | cut -d: -f1 | tr '\n' ' ')
equals "worst first: unreachable, then critical" "$first" "node-dead fake-full "
contains "over summary_over: the rest counted" "$out" "more hosts not shown"
lacks "the OK hosts of a summary are not listed" "$out" "fake-ok: OK"

out=$(ask "/health staging" "fake-ok:")
contains "a tag from a label picks hosts" "$out" "staging: 2 hosts from metrics"
contains "... the OK one too under summary_over" "$out" "fake-ok: OK (eng) — load 0.10 0.10 (2 cpu), mem 50% free, /data 10%"

out=$(ask "/disk fake-full" "/data")
contains "/disk of a fake host: the mount over its threshold" "$out" "/data             95% used"
contains "... marked with its thresholds" "$out" "CRIT (warn 80%, crit 90%)"

out=$(ask "/health nosuch" "nosuch")
contains "an unknown target is refused, with the count known" "$out" "unknown host or group nosuch"

out=$(ask "/health here" "here:")
contains "a hosts[] host stays on ssh" "$out" "ms) — up "
lacks "... not asked of the engine" "$out" "from metrics"
out=$(ask "/health all --via ssh" "here:")
contains "--via ssh takes all over ssh" "$out" "all: 1 host in "
out=$(ask "/health node-a --via telnet" "via")
contains "--via refuses what it does not know" "$out" "--via takes metrics or ssh"

# The hosts of a summary are on the web page, worst first.
BP=$(bot_port "$T/data/opsbot.log")
page=$(curl -s --max-time 30 -H "Cookie: opsbot_web=web-token-5d1e" "http://127.0.0.1:$BP/hosts")
contains "the web page lists the fleet's hosts" "$page" "Other hosts"
contains "... with their state and line" "$page" "fake-full</td><td><span class=\"tag"
contains "... the OK ones too" "$page" "fake-ok"
first=$(printf '%s\n' "$page" | sed -n '/Other hosts/,$p' | grep -o 'class="host">[a-z-]*' | head -1)
equals "... worst first" "$first" 'class="host">node-dead'

# A checklist's disk_below over the metrics sources.
out=$(ask "/checklist fleetdisk" "Fleet disks")
contains "disk_below via metrics fails on the full mount" "$out" "staging disks — fake-full /data: 95% used (under 80% wanted)"
contains "... reads the host under its limit" "$out" "node-a /: "
contains "services_running via metrics: the failed unit is not active" "$out" "fake-full payment: not active"
contains "... the active one is" "$out" "fake-ok payment: active"
# A source that failed may hold hosts of the target: unsure, not passed.
contains "... where a source failed, the check is not passed" "$out" "⚠ node-a root — could not check: gone (http://127.0.0.1:$DEAD)"

# The own checks ask the metrics sources too: the full mount fires.
out=$(ask "/alerts" "fake-full")
deadline=$((SECONDS + 30))
while ! printf '%s' "$out" | grep -q "DiskUsage" && [ $SECONDS -lt $deadline ]; do
  sleep 1
  out=$(ask "/alerts" "alert")
done
contains "own checks fire for a metrics host's full mount" "$out" "DiskUsage"
contains "... on that host" "$out" "fake-full"

exec 3>&-
wait "$bot_pid"
equals "the bot exits 0" "$?" 0
bot_pid=
# A source whose job has no series: "all" knows no host, and says why.
sed -e 's/"host_label": "host", "tag_labels"/"job": "nojob", "host_label": "host", "tag_labels"/' \
  -e "s|$T/data|$T/data2|" "$T/opsbot.json" >"$T/nojob.json"
mkdir -p "$T/data2"
out=$(printf '/health all\n' | "$BOT" --config "$T/nojob.json" 2>/dev/null)
contains "no host from the sources: said, with the way to hosts[]" "$out" "the metrics sources know no host (no node_exporter series of their job); --via ssh asks the hosts of hosts[]"

lacks "the log does not show the password" "$(cat "$T/data/opsbot.log" "$T/err" 2>/dev/null)" "$PASS"
assert_done
