# shellcheck shell=bash
# lib-alertmanager.sh: a real Prometheus Alertmanager (Debian's
# prometheus-alertmanager) on loopback, for the alert tests. Source it.
#   am_start DIR WEBHOOK_URL TOKEN   start it; sets AM_URL and AM_PID
#     (on $AM_PORT when set, e.g. from am_free_port, so the bot's config
#     can name Alertmanager's API before it starts)
#   am_fire NAME LABELS_JSON [ANNOTATIONS_JSON]   post a firing alert
#   am_resolve NAME LABELS_JSON      post it again with endsAt in the past
#   am_stop
# Alertmanager groups by alertname, waits 1 s (group_wait), then sends
# changes every 2 s (group_interval), with send_resolved.

AM_BIN=${AM_BIN:-$(command -v prometheus-alertmanager || command -v alertmanager)}
AM_PID=
AM_URL=

am_free_port() {
  local p
  for _ in $(seq 50); do
    p=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

am_start() { # dir webhook-url token
  local dir=$1 url=$2 token=$3 port
  mkdir -p "$dir/am-data"
  cat >"$dir/am.yml" <<YAML
route:
  receiver: opsbot
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: opsbot
    webhook_configs:
      - url: '$url'
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: '$token'
YAML
  for _ in 1 2 3; do
    if [ -n "${AM_PORT:-}" ]; then port=$AM_PORT; AM_PORT=
    else port=$(am_free_port) || return 1; fi
    "$AM_BIN" --config.file="$dir/am.yml" --storage.path="$dir/am-data" \
      --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
      --log.level=warn >>"$dir/am.log" 2>&1 &
    AM_PID=$!
    AM_URL="http://127.0.0.1:$port"
    for _ in $(seq 100); do
      if curl -sf "$AM_URL/-/ready" >/dev/null 2>&1; then return 0; fi
      kill -0 "$AM_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$AM_PID" 2>/dev/null
    wait "$AM_PID" 2>/dev/null
  done
  return 1
}

am_post() { # labels-json annotations-json endsAt|""
  local ends=""
  [ -n "$3" ] && ends=",\"endsAt\":\"$3\""
  curl -sf -X POST "$AM_URL/api/v2/alerts" -H 'Content-Type: application/json' \
    -d "[{\"labels\":$1,\"annotations\":$2$ends}]" >/dev/null
}

am_fire() { # name labels-json [annotations-json]
  am_post "$(jq -c --arg n "$1" '. + {alertname: $n}' <<<"$2")" "${3:-{\}}" ""
}

am_resolve() { # name labels-json
  am_post "$(jq -c --arg n "$1" '. + {alertname: $n}' <<<"$2")" '{}' \
    "$(date -u -d '-1 second' +%Y-%m-%dT%H:%M:%SZ)"
}

am_stop() {
  [ -n "$AM_PID" ] && kill "$AM_PID" 2>/dev/null && wait "$AM_PID" 2>/dev/null
  AM_PID=
}
