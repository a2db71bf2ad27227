#!/usr/bin/env bash
# Integration: the bot's HTTP listener under abuse, on loopback.
#  - a flood of idle connections, more than the descriptor limit allows
#    (ulimit -n 256): the bot must not spin (CPU seconds from /proc), must
#    not flood its log, and /healthz answers during and after the flood;
#  - a soft descriptor limit below the hard one is raised at start;
#  - HTTP details: a 405 to a request with a body is whole, raw NUL and
#    invalid UTF-8 inside JSON strings get 400, a bearer token followed by
#    a NUL is refused, oversized headers get 431;
#  - secrets typed in commands and sent in alert annotations are redacted
#    in the audit, replies, silences, alerts and the log.
# usage: listener.sh OPSBOT NETPOKE
set -u
BOT=$(realpath "$1")
POKE=$(realpath "$2")
T=$(mktemp -d /tmp/ob-ls.XXXXXX)
bot_pid=
. "$(dirname "${BASH_SOURCE[0]}")/lib-assert.sh"
cleanup() {
  [ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

TOKEN=ls-secret-token-42
start_bot() { # nth-start extra-alerts-keys (a JSON fragment)
  cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "info" },
  "users": [ { "name": "op", "platform": "console", "id": "*", "roles": ["admin"] } ],
  "alerts": { "listen": "127.0.0.1:0", "token": "$TOKEN", "checks": { "enabled": false } $2 } }
JSON
  mkfifo "$T/in"
  # The soft and hard limit both by default: the bot cannot raise its
  # way out. FDLIM may set them apart.
  ( eval "${FDLIM:-ulimit -n 256}"; exec "$BOT" --config "$T/opsbot.json" --console <"$T/in" >"$T/bot.out" 2>"$T/bot.err" ) &
  bot_pid=$!
  exec 9>"$T/in"
  BP=
  for _ in $(seq 100); do
    BP=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/data/opsbot.log" 2>/dev/null | tail -n +"$1" | head -1)
    [ -n "$BP" ] && break
    sleep 0.1
  done
  [ -n "$BP" ] || bad "bot starts" "$(cat "$T/bot.err")"
}
stop_bot() {
  exec 9>&-
  wait "$bot_pid" 2>/dev/null
  bot_pid=
  rm -f "$T/in"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
healthz_time() { # -> seconds, or "fail"
  local t
  rm -f "$T/hz.out"
  t=$(curl -s -o "$T/hz.out" -m 5 -w '%{time_total}' "http://127.0.0.1:$BP/healthz" 2>/dev/null)
  if grep -q '^ok$' "$T/hz.out" 2>/dev/null; then echo "$t"; else echo fail; fi
}
within() { # name seconds limit
  if [ "$2" != fail ] && awk -v t="$2" -v l="$3" 'BEGIN { exit !(t < l) }'; then
    ok "$1 ($2 s)"
  else
    bad "$1" "expected under $3 s, got $2" "$(tail -3 "$T/data/opsbot.log")"
  fi
}

# --- a flood of idle connections under a 256-descriptor limit ------------------
start_bot 1 ', "max_connections": 1000'
hz=$(sys_hz=$(getconf CLK_TCK); echo "$sys_hz")
lines0=$(wc -l <"$T/data/opsbot.log")
c0=$(cpu_ticks "$bot_pid")
mkfifo "$T/flood.in"
"$POKE" flood "$BP" 600 <"$T/flood.in" >"$T/flood.out" &
flood_pid=$!
exec 8>"$T/flood.in"
for _ in $(seq 50); do grep -q opened "$T/flood.out" && break; sleep 0.1; done
contains "flood started" "$(cat "$T/flood.out")" "opened 600"
sleep 1
within "/healthz answers during the flood" "$(healthz_time)" 2
sleep 3
c1=$(cpu_ticks "$bot_pid")
lines1=$(wc -l <"$T/data/opsbot.log")
cpu=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')
echo "     CPU seconds during ~4.5 s of flood: $cpu; log lines: $((lines1 - lines0))"
if awk -v c="$cpu" 'BEGIN { exit !(c < 1.0) }'; then ok "no busy loop ($cpu CPU s)"; else bad "no busy loop" "CPU s: $cpu"; fi
if [ $((lines1 - lines0)) -le 20 ]; then ok "log stays quiet ($((lines1 - lines0)) lines)"; else
  bad "log stays quiet" "$((lines1 - lines0)) lines" "$(tail -3 "$T/data/opsbot.log")"; fi
contains "the cap follows the limit" "$(cat "$T/data/opsbot.log")" "at most 192 open connections, not 1000"
contains "refusals are counted" "$(cat "$T/data/opsbot.log")" "connection(s) refused"
exec 8>&-
wait "$flood_pid"
within "/healthz answers after the flood" "$(healthz_time)" 2
stop_bot

# --- HTTP details -----------------------------------------------------------------
start_bot 2 ''
raw() { "$POKE" raw "$BP" >"$T/ans"; }   # request on stdin -> $T/ans
request() { # method path body-printf-format [extra header line] -> the request
  printf '%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n' \
    "$1" "$2" "$TOKEN" "${4:-}" "$(printf "$3" | wc -c)"
  printf "$3"
}
whole() { # name status: checks $T/ans
  local head len got
  head=$(sed -n '1,/^\r$/p' "$T/ans")
  len=$(sed -n 's/^content-length: \([0-9]*\).*/\1/ip' <<<"$head" | head -1)
  got=$(( $(wc -c <"$T/ans") - ${#head} - 1 ))   # the blank line's \n
  contains "$1: status" "$head" "HTTP/1.1 $2"
  equals "$1: the body is whole" "$got" "${len:-none}"
}
answer() { sed '1,/^\r$/d' "$T/ans"; }
big=$(head -c 200000 /dev/zero | tr '\0' a)
{ printf 'PUT /hooks/generic HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n'; printf %s "$big"; } | raw
whole "PUT with a body -> 405" 405
{ printf 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n'; printf %s "$big"; } | raw
whole "POST to a GET route with a body -> 405" 405
{ printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n'; printf %s "$big"; } | raw
whole "GET with a body -> 200" 200
n0=$(sqlite3 "$T/data/opsbot.db" 'SELECT count(*) FROM alerts')
request POST /hooks/generic '{"name":"Nul\0byte","severity":"critical"}' | raw
whole "raw NUL in a JSON string -> 400" 400
contains "says why" "$(answer)" "NUL byte"
request POST /hooks/generic '{"name":"Bad\377\376utf8","severity":"critical"}' | raw
whole "invalid UTF-8 in a JSON string -> 400" 400
contains "says why" "$(answer)" "not valid UTF-8"
request POST /hooks/generic '{"name":"Overlong\300\257","severity":"critical"}' | raw
whole "overlong UTF-8 -> 400" 400
printf 'POST /hooks/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\0junk\r\nContent-Length: 19\r\n\r\n{"name":"NulToken"}' "$TOKEN" | raw
whole "a bearer token followed by a NUL -> refused" 400
request POST /hooks/generic '{"name":"Fine\303\251t\303\251","severity":"critical"}' | raw
whole "valid UTF-8 (été) -> 200" 200
equals "only the valid alert stored" "$(sqlite3 "$T/data/opsbot.db" "SELECT count(*) FROM alerts")" "$((n0 + 1))"
cookie=$(head -c 10000 /dev/zero | tr '\0' c)
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n' "$cookie" | raw
whole "10 KB of headers -> 431" 431
request POST /hooks/generic '{"name":"BigHeader"}' "Cookie: $cookie"$'\r\n' | raw
whole "431 with a body too" 431
within "/healthz still answers" "$(healthz_time)" 2

# --- secrets typed by users, and in alert annotations ------------------------------
DB="$T/data/opsbot.db"
request POST /hooks/generic '{"name":"DbDown","severity":"critical","description":"dsn postgres://app:S3cretPw@db-01/prod password=hunter2"}' | raw
whole "an alert with secrets in its annotations -> 200" 200
ann=$(sqlite3 "$DB" "SELECT annotations FROM alerts WHERE alertname = 'DbDown'")
contains "annotation: URL password redacted" "$ann" "postgres://app:[REDACTED]@db-01/prod"
contains "annotation: password= redacted" "$ann" "password=[REDACTED]"
printf '%s\n' '/status password=hunter2 postgres://app:S3cretPw@db/x Authorization: Bearer abc.def' >&9
printf '%s\n' '/silence alertname=DbDown 1h rotating postgres://app:S3cretPw@db-01/prod token=tok-77' >&9
for _ in $(seq 50); do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE command LIKE '/silence%'")" = 1 ] && break
  sleep 0.1
done
audit=$(sqlite3 "$DB" "SELECT command || ' | ' || coalesce(detail, '') FROM audit")
contains "audit: URL password redacted" "$audit" "postgres://app:[REDACTED]@db/x"
contains "audit: Bearer redacted" "$audit" "Authorization: [REDACTED]"
contains "audit: token= redacted" "$audit" "token=[REDACTED]"
contains "silence reason redacted" "$(sqlite3 "$DB" 'SELECT reason FROM silences')" "postgres://app:[REDACTED]@db-01/prod token=[REDACTED]"
sleep 0.5
contains "error reply redacted" "$(cat "$T/bot.out")" "password=[REDACTED]"
for f in "$T/bot.out" "$T/data/opsbot.log"; do
  lacks "no secret in $(basename "$f")" "$(cat "$f")" "S3cretPw"
  lacks "no password in $(basename "$f")" "$(cat "$f")" "hunter2"
done
lacks "no secret anywhere in the store" "$(sqlite3 "$DB" .dump)" "S3cretPw"
stop_bot

# --- a soft limit below the hard one: raised at start ------------------------------
FDLIM='ulimit -Sn 256 && ulimit -Hn 2048' # soft first: hard may not go below it
start_bot 3 ''
equals "the soft limit is raised to the hard one (/proc/PID/limits)" \
  "$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$bot_pid/limits")" "2048 2048"
contains "and says so" "$(cat "$T/data/opsbot.log")" "open files limit raised from 256 to 2048"
lacks "with no warning about the cap" "$(cat "$T/data/opsbot.log")" "open files limited to 2048"
stop_bot

assert_done
