#!/usr/bin/env bash
# Integration: fast answers while one host hangs. The real opsbot against
# the fake Slack, with four local hosts, one of whose df blocks (a hung
# NFS mount stand-in on the bot's PATH) until remote.timeout. A /health
# slash command answers on its response URL with the hosts that answered
# (the hung one "waiting") long before the timeout, and that message is
# then replaced in place (replace_original) with the final state. A
# mention's /disk does the same with chat.postMessage then chat.update of
# that message (its ts). On the fake Mattermost, a mention's /health is a
# post in its thread, then a patch of that post.
# usage: progress.sh OPSBOT FAKE_SLACK FAKE_MATTERMOST
set -u
FAKE_MM=$(realpath "$3")
. "$(dirname "${BASH_SOURCE[0]}")/lib-bot.sh"
bot_setup ob-pg "$@"
WAIT_FOR_S=20 # wait_for's bound

start_fake "$FAKE"
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# df on the hung mount never returns; everything else is the real df.
mkdir -p "$T/bin" "$T/nfs"
REAL_DF=$(command -v df)
cat >"$T/bin/df" <<SH
#!/bin/sh
case "\$*" in
*"$T/nfs"*) exec sleep 60 ;;
esac
exec "$REAL_DF" "\$@"
SH
chmod +x "$T/bin/df"

cat >"$T/opsbot.json" <<JSON
{ "bot": { "data_dir": "$T/data", "log_level": "debug" },
  "chat": { "outbox": { "rate": 20, "burst": 20 } },
  "users": [ { "name": "jdoe", "platform": "slack", "id": "U0456", "roles": ["admin"] } ],
  "remote": { "timeout": "6s" },
  "hosts": [
    { "name": "web1", "transport": "local", "tags": ["prod"], "mounts": [ { "path": "/" } ] },
    { "name": "nfs1", "transport": "local", "tags": ["prod"], "mounts": [ { "path": "$T/nfs" } ] },
    { "name": "web2", "transport": "local", "tags": ["prod"], "mounts": [ { "path": "/" } ] },
    { "name": "web3", "transport": "local", "tags": ["prod"], "mounts": [ { "path": "/" } ] } ],
  "checklists": { "sod": { "title": "SOD", "checks": [
    { "title": "Disks", "kind": "disk_below", "hosts": "prod", "max_pct": 100 } ] } } }
JSON
slack_env
# Host commands: their acks say "working on it…"; the answers under test
# are the ones on the response URL.
RESPONSES_VIA=response_url
PATH="$T/bin:$PATH" "$BOT" --config "$T/opsbot.json" </dev/null >>"$T/bot.out" 2>>"$T/bot.err" &
bot_pid=$!
if wait_for '.connections_open >= 1'; then ok "bot connects"; else bad "bot connects" "$(tail -5 "$T/bot.err")"; fi

# --- slash command: partial answer on the response URL, then replaced --------
t0=$(ms_now)
ctl slash '{"command":"/health","text":"prod"}' >/dev/null
wait_for '(.responses | length) >= 1' || true
t1=$(ms_now)
s=$(state)
first=$(jq -r '.responses[0].body.text' <<<"$s")
if [ $((t1 - t0)) -lt 5000 ]; then ok "first answer before the timeout ($((t1 - t0)) ms)"
else bad "first answer before the timeout" "$((t1 - t0)) ms"; fi
# OK, or WARN for load alone: the machine running the suite may be busy.
answered() { # name text host
  if printf '%s\n' "$2" | grep -Eq "^$3: (OK|WARN) \("; then ok "$1"; else bad "$1" "got: $2"; fi
}
# Which healthy hosts made the first answer depends on the machine's load:
# at least one, each with its state, the others listed as waiting.
answered "first answer shows a healthy host" "$first" "(web1|web2|web3)"
contains "the hung host is waiting" "$first" "nfs1: waiting"
if printf '%s\n' "$first" | grep -Eq '^prod: [123] of 4 hosts answered'; then
  ok "headline says how many answered"
else bad "headline says how many answered" "got: $first"; fi
for h in web1 web2 web3; do
  if printf '%s\n' "$first" | grep -Eq "^$h: ((OK|WARN) \(|waiting)"; then ok "$h answered or waiting"
  else bad "$h answered or waiting" "got: $first"; fi
done
equals "the first answer is in the channel" "$(jq -r '.responses[0].body.response_type' <<<"$s")" "in_channel"
wait_for '[.responses[] | .body.text | contains("did not finish")] | any' || true
s=$(state)
n=$(jq '.responses | length' <<<"$s")
last=$(jq -r '.responses[-1].body.text' <<<"$s")
contains "the final state replaces it" "$last" "nfs1: CRIT — connected, but \`df\` did not finish in 6 s"
contains "final headline" "$last" "prod: 4 hosts in"
lacks "nothing is waiting at the end" "$last" "waiting"
equals "every later answer replaces the first" "$(jq '[.responses[1:][] | .body.replace_original == true] | all' <<<"$s")" "true"
if [ "$n" -le 5 ]; then ok "within the response URL's 5 uses ($n)"; else bad "within the response URL's 5 uses" "$n"; fi
equals "the same URL every time" "$(jq '[.responses[].url] | unique | length' <<<"$s")" "1"
equals "no separate channel post" "$(jq '.posts | length' <<<"$s")" "0"

# --- /sod: what is known so far, then the summary in its place --------------
ctl reset >/dev/null
t0=$(ms_now)
ctl slash '{"command":"/sod","text":""}' >/dev/null
wait_for '(.responses | length) >= 1' || true
t1=$(ms_now)
s=$(state)
first=$(jq -r '.responses[0].body.text' <<<"$s")
if [ $((t1 - t0)) -lt 5000 ]; then ok "/sod: first answer before the timeout ($((t1 - t0)) ms)"
else bad "/sod: first answer before the timeout" "$((t1 - t0)) ms"; fi
contains "/sod: it says how far it got" "$first" "3 of 4 host check(s) answered"
contains "/sod: and what it waits for" "$first" "waiting: nfs1 (Disks)"
wait_for '[.responses[] | .body.text | contains("SOD —") and (contains("running") | not)] | any' || true
s=$(state)
last=$(jq -r '.responses[-1].body.text' <<<"$s")
lacks "/sod: the summary replaces it" "$last" "waiting:"
contains "/sod: with the hung host named" "$last" "nfs1"
equals "/sod: every later answer replaces the first" "$(jq '[.responses[1:][] | .body.replace_original == true] | all' <<<"$s")" "true"
equals "/sod: no separate channel post" "$(jq '.posts | length' <<<"$s")" "0"

# --- mention: a channel message, then chat.update of that message -----------
ctl reset >/dev/null
t0=$(ms_now)
ctl event '{"type":"app_mention","text":"<@U0BOT> disk prod","channel":"C0OPS"}' >/dev/null
wait_for '[.posts[] | .text | contains("waiting")] | any' || true
t1=$(ms_now)
s=$(state)
if [ $((t1 - t0)) -lt 5000 ]; then ok "mention: first answer before the timeout ($((t1 - t0)) ms)"
else bad "mention: first answer before the timeout" "$((t1 - t0)) ms"; fi
post=$(jq -c '[.posts[] | select(.text | contains("waiting"))][0]' <<<"$s")
contains "mention: healthy hosts shown" "$(jq -r .text <<<"$post")" "web2:"
contains "mention: hung host waiting" "$(jq -r .text <<<"$post")" "nfs1: waiting"
wait_for '[.updates[] | .text | contains("did not finish")] | any' || true
s=$(state)
upd=$(jq -c '.updates[-1]' <<<"$s")
contains "mention: the message is updated to the final state" "$(jq -r .text <<<"$upd")" "nfs1: CRIT — connected"
equals "mention: the update is of that message" "$(jq -r .ts <<<"$upd")" "$(jq -r .ts <<<"$post")"
equals "mention: one message, not a second post" "$(jq '.posts | length' <<<"$s")" "1"

# --- Mattermost: a post in the thread, then a patch of that post ------------
kill "$bot_pid" 2>/dev/null; wait "$bot_pid" 2>/dev/null; bot_pid=
kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fake_pid=
start_fake "$FAKE_MM" --token tok-bot
JDOE=user0jdoe00000000000000000
OPS=chanopsprod000000000000000
sed -i "s/\"platform\": \"slack\", \"id\": \"U0456\"/\"platform\": \"mattermost\", \"id\": \"$JDOE\"/" "$T/opsbot.json"
unset SLACK_APP_TOKEN SLACK_BOT_TOKEN SLACK_API_URL
MATTERMOST_URL="http://127.0.0.1:$PORT" MATTERMOST_TOKEN=tok-bot PATH="$T/bin:$PATH" \
  "$BOT" --config "$T/opsbot.json" </dev/null >>"$T/bot.out" 2>>"$T/bot-mm.err" &
bot_pid=$!
if wait_for '.connections_open >= 1'; then ok "mattermost: bot connects"; else bad "mattermost: bot connects" "$(tail -5 "$T/bot-mm.err")"; fi
t0=$(ms_now)
root=$(ctl post "{\"message\":\"@opsbot health prod\",\"user_id\":\"$JDOE\",\"channel_id\":\"$OPS\"}" | jq -r .post_id)
wait_for '[.posts[] | tostring | contains("waiting")] | any' || true
t1=$(ms_now)
s=$(state)
post=$(jq -c '[.posts[] | select(tostring | contains("waiting"))][0]' <<<"$s")
if [ $((t1 - t0)) -lt 5000 ]; then ok "mattermost: first answer before the timeout ($((t1 - t0)) ms)"
else bad "mattermost: first answer before the timeout" "$((t1 - t0)) ms"; fi
equals "mattermost: in the mention's thread" "$(jq -r .root_id <<<"$post")" "$root"
contains "mattermost: the hung host is waiting" "$(jq -r tostring <<<"$post")" "nfs1: waiting"
wait_for '[.patches[] | tostring | contains("did not finish")] | any' || true
s=$(state)
patch=$(jq -c '.patches[-1]' <<<"$s")
contains "mattermost: the post is patched to the final state" "$(jq -r tostring <<<"$patch")" "nfs1: CRIT"
equals "mattermost: the patch is of that post" "$(jq -r .id <<<"$patch")" "$(jq -r .id <<<"$post")"
equals "mattermost: one post, not two" "$(jq '[.posts[] | select(.root_id == "'"$root"'")] | length' <<<"$s")" "1"

assert_done
