#!/usr/bin/env bash
# run-conv.sh: runs one conversation script (*.conv) against the real
# opsbot binary through its console adapter, and prints a lib-assert.sh
# line per expectation ("ok   ..." / "FAIL ...") and the closing
# "N passed, N failed" line.
#
# A bash script, not a C program: the bot is driven exactly as a user
# pipes it (a fifo on its stdin, replies on its stdout), the store is read
# with the sqlite3 CLI and webhooks are posted with curl, as the other
# integration tests do; a C driver would reimplement all three.
#
# usage: run-conv.sh OPSBOT SOURCE_DIR SCRIPT.conv
#
# The script, one directive a line ('#' starts a comment line; in every
# argument and in the config @SRC@ is the source tree, @HERE@ the script's
# directory and @DATA@ the bot's data directory):
#   config FILE            the bot's config (relative to the script)
#   config <<END           ... or inline, up to a line END
#   sshd ALIAS...          a real sshd on loopback (lib-sshd.sh) that each
#                          ALIAS reaches: @SSH_CONFIG@ is its ssh_config,
#                          @CLOSED_PORT@ a loopback port nothing listens on
#   timeout SECONDS        how long each later expectation waits (10)
#   say LINE               type LINE; waits until the bot answered it
#                          (60 s at most)
#   expect reply TEXT      what the bot printed since the last say or
#                          post contains TEXT (or matches /ERE/); polls
#   expect no reply TEXT   ... does not contain TEXT (or match /ERE/)
#   expect sql SELECT ... = VALUE
#                          the query on the bot's store prints VALUE; polls
#   expect log TEXT        the bot's log contains TEXT; polls
#   post PATH FILE [= CODE] POSTs FILE (relative to the script) as JSON
#                          to the bot's listener; the status must be 2xx,
#                          or CODE. header NAME: VALUE before it adds one
#   wait SECONDS           sleep (only where nothing can be polled)
# The bot starts at the first say or post, with --data-dir (its log is
# @DATA@/opsbot.log: leave bot.log_file unset), and ends when the script
# does (end of input), which must exit 0.
set -u
# A bot that died must not kill the driver when it types: the say fails.
trap '' PIPE
# ${s//pat/rep} must not read '&' in a path as the match (bash 5.2).
shopt -u patsub_replacement 2>/dev/null
BOT=$(realpath "$1")
SRC=$(realpath "$2")
CONV=$(realpath "$3")
HERE=$(dirname "$CONV")
T=$(mktemp -d /tmp/ob-conv.XXXXXX)
DATA="$T/data"
LOG="$DATA/opsbot.log"
DB="$DATA/opsbot.db"
OUT="$T/bot.out"
pass=0 # counted by lib-assert.sh
fail=0
export pass fail
bot_pid=
# shellcheck source=SCRIPTDIR/../integration/lib-assert.sh
. "$SRC/tests/integration/lib-assert.sh"
# Every bot a test starts listens on a free port unless told otherwise.
export OPSBOT_ALERTS_LISTEN=${OPSBOT_ALERTS_LISTEN:-127.0.0.1:0}

sshd_on=
cleanup() {
  if [ -n "$bot_pid" ]; then
    kill "$bot_pid" 2>/dev/null
    wait "$bot_pid" 2>/dev/null
  fi
  [ -n "$sshd_on" ] && lib_sshd_cleanup
  if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

lineno=0
where() { printf '%s:%d' "${CONV##*/}" "$lineno"; }
die() { bad "$(where): $1" "${@:2}"; assert_done; exit 1; }
SSH_CONFIG=
CLOSED_PORT=
subst() { # text -> text with @SRC@, @HERE@, @DATA@, @SSH_CONFIG@... replaced
  local s=$1
  s=${s//@SRC@/$SRC}
  s=${s//@SSH_CONFIG@/$SSH_CONFIG}
  s=${s//@CLOSED_PORT@/$CLOSED_PORT}
  s=${s//@HERE@/$HERE}
  printf '%s' "${s//@DATA@/$DATA}"
}
# Commands answered so far: the dispatcher logs each after its reply is
# written (logfmt or JSON lines).
answered() {
  local n
  n=$(grep -cE 'msg="command answered"|"msg":"command answered"' "$LOG" 2>/dev/null)
  echo "${n:-0}"
}
timeout=10
say_timeout=60
deadline() { echo $(($(date +%s%N) / 1000000 + timeout * 1000)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

config="$T/opsbot.json"
raw="$T/opsbot.raw.json"   # substituted when the bot starts (after sshd)
printf '{}\n' >"$raw"
mark=0      # bytes of bot output before the last say or post
port=
headers=()

start() {
  [ -n "$bot_pid" ] && return 0
  subst "$(cat "$raw")" >"$config"
  mkfifo "$T/in"
  "$BOT" --config "$config" --data-dir "$DATA" <"$T/in" >"$OUT" 2>"$T/bot.err" &
  bot_pid=$!
  exec 3>"$T/in"
}

# The listener's port, from the log line the bot writes when it binds.
listener_port() {
  local end
  [ -n "$port" ] && return 0
  end=$(deadline)
  while [ "$(now_ms)" -lt "$end" ]; do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$LOG" 2>/dev/null | head -1)
    [ -n "$port" ] && return 0
    kill -0 "$bot_pid" 2>/dev/null || break
    sleep 0.05
  done
  die "the bot's listener port" "no 'listening on' line in $LOG" "$(tail -5 "$T/bot.err" 2>/dev/null)"
}

since_mark() { tail -c +"$((mark + 1))" "$OUT" 2>/dev/null; }
size() { stat -c %s "$OUT" 2>/dev/null || echo 0; }

# matches TEXT PATTERN: PATTERN is /ERE/ or a substring.
matches() {
  local p=$2
  if [[ ${#p} -ge 2 && $p == /*/ ]]; then
    p=${p:1:${#p}-2}
    [[ $1 =~ $p ]]
  else
    [[ $1 == *"$p"* ]]
  fi
}

do_say() {
  local before end
  start
  before=$(answered)
  mark=$(size)
  if ! printf '%s\n' "$1" >&3 2>/dev/null; then
    die "say $1" "the bot is not reading (it stopped)" "stderr: $(tail -5 "$T/bot.err")"
  fi
  # Not the expectations' timeout: an answer may wait for remote.timeout.
  end=$(($(now_ms) + say_timeout * 1000))
  while [ "$(answered)" -le "$before" ]; do
    if ! kill -0 "$bot_pid" 2>/dev/null || [ "$(now_ms)" -ge "$end" ]; then
      die "say $1" "no answer within ${say_timeout}s" "output: $(since_mark)" \
        "stderr: $(tail -5 "$T/bot.err")"
    fi
    sleep 0.05
  done
  ok "$(where): say $1"
}

expect_reply() { # negate pattern
  local got end
  end=$(deadline)
  while :; do
    got=$(since_mark)
    if [ "$1" = 1 ]; then
      # The answer is in: what is not there now will not come.
      if matches "$got" "$2"; then
        bad "$(where): expect no reply $2" "the bot said it:" "${got:0:2000}"
      else
        ok "$(where): expect no reply $2"
      fi
      return
    fi
    if matches "$got" "$2"; then ok "$(where): expect reply $2"; return; fi
    if [ "$(now_ms)" -ge "$end" ]; then
      bad "$(where): expect reply $2" "not said within ${timeout}s; the bot said:" "${got:0:2000}"
      return
    fi
    sleep 0.05
  done
}

expect_sql() {
  local q=${1% = *} want=${1##* = } got end
  if [ "$q" = "$1" ]; then die "expect sql needs 'QUERY = VALUE'" "got: $1"; fi
  end=$(deadline)
  while :; do
    got=$(sqlite3 -cmd '.timeout 2000' "$DB" "$q" 2>&1)
    if [ "$got" = "$want" ]; then ok "$(where): expect sql $1"; return; fi
    if [ "$(now_ms)" -ge "$end" ]; then
      bad "$(where): expect sql $q" "expected: $want" "got:      ${got:0:2000}"
      return
    fi
    sleep 0.1
  done
}

expect_log() {
  local end
  end=$(deadline)
  while ! grep -qF -- "$1" "$LOG" 2>/dev/null; do
    if [ "$(now_ms)" -ge "$end" ]; then
      bad "$(where): expect log $1" "not logged within ${timeout}s; the log ends:" "$(tail -5 "$LOG" 2>/dev/null)"
      return
    fi
    sleep 0.05
  done
  ok "$(where): expect log $1"
}

do_post() { # PATH FILE [= CODE]
  local path file want code h args=()
  read -r path file want <<<"$1"
  want=${want#= }
  want=${want//[[:space:]]/}
  [[ $path == /* && -n $file ]] || die "post needs 'PATH FILE [= CODE]'" "got: $1"
  [[ $file == /* ]] || file="$HERE/$file"
  [ -r "$file" ] || die "post: cannot read $file"
  start
  listener_port
  for h in "${headers[@]}"; do args+=(-H "$h"); done
  mark=$(size)
  code=$(curl -s -o "$T/post.out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' "${args[@]}" \
    --data-binary "@$file" "http://127.0.0.1:$port$path")
  if [ -n "$want" ]; then
    equals "$(where): post $path answers $want" "$code" "$want"
  elif [[ $code == 2?? ]]; then
    ok "$(where): post $path ($code)"
  else
    bad "$(where): post $path" "expected a 2xx status, got $code" "$(head -c 500 "$T/post.out")"
  fi
}

exec 4<"$CONV"
while IFS= read -r line <&4; do
  lineno=$((lineno + 1))
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  line=$(subst "$line")
  verb=${line%% *}
  rest=${line#"$verb"}
  rest=${rest# }
  case $verb in
  config)
    [ -z "$bot_pid" ] || die "config after the bot started"
    if [[ $rest == '<<'* ]]; then
      endw=${rest#<<}
      : >"$raw"
      while IFS= read -r l <&4; do
        lineno=$((lineno + 1))
        [ "$l" = "$endw" ] && break
        printf '%s\n' "$l" >>"$raw"
      done
    else
      [[ $rest == /* ]] || rest="$HERE/$rest"
      [ -r "$rest" ] || die "config: cannot read $rest"
      cp "$rest" "$raw"
    fi
    ;;
  sshd)
    [ -z "$bot_pid" ] || die "sshd after the bot started"
    # shellcheck source=SCRIPTDIR/../integration/lib-sshd.sh
    . "$SRC/tests/integration/lib-sshd.sh"
    sshd_on=1
    # A short path: ssh's ControlPath must fit a unix socket's.
    sshd_start "$T/sshd" || die "sshd: cannot start $SSHD_EXE" "$(cat "$T/sshd"/*.log 2>/dev/null | tail -5)"
    read -ra aliases <<<"$rest"
    SSH_CONFIG=$(sshd_ssh_config "$T" "${aliases[@]}") || die "sshd: no ssh_config"
    CLOSED_PORT=$(closed_port)
    ok "$(where): sshd for $rest on 127.0.0.1:$SSHD_PORT"
    ;;
  timeout) timeout=$rest ;;
  say) do_say "$rest" ;;
  expect)
    case $rest in
    'no reply '*) expect_reply 1 "${rest#no reply }" ;;
    'reply '*) expect_reply 0 "${rest#reply }" ;;
    'sql '*) expect_sql "${rest#sql }" ;;
    'log '*) expect_log "${rest#log }" ;;
    *) die "unknown expectation: $rest" "(reply, no reply, sql, log)" ;;
    esac
    ;;
  header) headers+=("$rest") ;;
  post) do_post "$rest" ;;
  wait) sleep "$rest" ;;
  *) die "unknown directive: $verb" "(config, sshd, timeout, say, expect, header, post, wait)" ;;
  esac
done

# End of input stops the bot; it must stop cleanly.
if [ -n "$bot_pid" ]; then
  exec 3>&-
  end=$(($(now_ms) + 30000))
  while kill -0 "$bot_pid" 2>/dev/null && [ "$(now_ms)" -lt "$end" ]; do sleep 0.05; done
  kill "$bot_pid" 2>/dev/null   # still running: a hang, and rc says so
  wait "$bot_pid"
  rc=$?
  bot_pid=
  equals "$(where): the bot exits 0 at the end of input" "$rc" 0
fi
assert_done
