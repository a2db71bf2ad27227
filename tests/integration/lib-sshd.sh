# shellcheck shell=bash
# lib-sshd.sh: a real OpenSSH sshd on loopback for integration tests and the
# benchmark, with throwaway keys, plus a silent TCP listener and a closed
# port for the failure cases. Source it; do not run it.
#
#   sshd_start DIR          start sshd; DIR is a temp dir the caller owns
#                           (created if missing, removed by the caller).
#                           Exports SSHD_PORT SSHD_PID SSHD_DIR SSHD_KEY
#                           SSHD_KNOWN_HOSTS SSHD_USER SSHD_BIN.
#   sshd_ssh_config DIR ALIAS...
#                           write DIR/ssh_config with one Host block per
#                           alias, all pointing at this sshd; echo its path.
#   sshd_stop               stop sshd, its sessions and the commands they
#                           started, and ssh clients/ControlMasters whose
#                           command line names SSHD_DIR. Safe to call twice.
#   closed_port             print a loopback port nothing listens on.
#   silent_start DIR        start $SILENT_LISTENER (tests/fakes/
#                           silent-listener, built); exports SILENT_PORT
#                           SILENT_PID.
#   silent_stop             stop it. Safe to call twice.
#   lib_sshd_cleanup        sshd_stop and silent_stop; for an EXIT trap.
#
# Call sshd_start and silent_start directly, not inside $(...) or a pipe:
# the servers are children of the calling shell, which must wait for them.
# They get SIGTERM if that shell dies without stopping them (setpriv
# --pdeathsig), and the silent listener exits by itself after 120 s.
#
# Aliases from sshd_ssh_config all reach the same HostName, Port and User,
# so a ControlPath of "cm-%C" is ONE master shared by every alias; use
# "%n" in ControlPath (e.g. cm-%n-%C) for one connection per alias. Keep
# DIR short (mktemp -d /tmp/...): a ControlPath must fit a unix socket
# path (108 bytes, and ssh adds ~17 while creating it).
#
# Remote PATH: sshd_config has "SetEnv PATH=$SSHD_BIN:/usr/local/bin:..."
# so a stand-in tool dropped into $SSHD_BIN (e.g. autorep) is what a remote
# "command -v autorep" finds. It also sets SHLVL=1, which makes the remote
# bash skip ~/.bashrc (Debian's bash sources it for ssh commands otherwise),
# so the login user's dotfiles neither change PATH nor slow every command.
# With an sshd too old for SetEnv (< 8.7) the same variables are set through
# PermitUserEnvironment and environment="..." in authorized_keys instead.
#
# Works as root (CI) or as an ordinary user; then sshd runs unprivileged
# and only that user can log in. Nothing here touches a port outside
# 127.0.0.1. All functions are safe under set -u and do not change the
# caller's shell options; on failure they print why to stderr and return 1.

: "${SSHD_EXE:=/usr/sbin/sshd}"
: "${SSHD_START_TIMEOUT:=5}"

_lib_sshd_err() {
  echo "lib-sshd: $*" >&2
}

# Run CMD so that it gets SIGTERM if the calling shell dies without calling
# sshd_stop (e.g. SIGKILLed by a ctest timeout): setpriv execs CMD in
# place, so $! is still CMD's pid. Plain exec where setpriv is missing.
_lib_sshd_orphan_guard() {
  if command -v setpriv >/dev/null 2>&1; then
    exec setpriv --pdeathsig TERM -- "$@"
  fi
  exec "$@"
}

# True if nothing listens on 127.0.0.1:PORT (TCP).
_lib_sshd_port_free() {
  local port=$1 out
  if command -v ss >/dev/null 2>&1; then
    out=$(ss -Htln "sport = :$port" 2>/dev/null) || return 1
    [ -z "$out" ]
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# A random port below the kernel's ephemeral range that nothing listens on.
_lib_sshd_pick_port() {
  local lo=20000 hi=32000 eph port
  if read -r eph _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
    [ "$eph" -gt 12000 ] && [ "$eph" -le "$hi" ]; then
    hi=$((eph - 1))
    lo=$((hi - 8000))
  fi
  for _ in $(seq 1 50); do
    port=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
    if _lib_sshd_port_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  _lib_sshd_err "no free loopback port found in $lo-$hi"
  return 1
}

closed_port() {
  _lib_sshd_pick_port
}

# Is PORT on 127.0.0.1 in LISTEN state?
_lib_sshd_listening() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Htln "src 127.0.0.1 and sport = :$port" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# PIDs (one per line) of live, non-zombie processes whose parent is PPID.
_lib_sshd_children() {
  local ppid=$1 f stat rest st pp
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue
    rest=${stat##*) } # fields after "(comm) ": state ppid ...
    read -r st pp _ <<<"$rest"
    [ "$pp" = "$ppid" ] && [ "$st" != Z ] && echo "${f//[!0-9]/}"
  done
  return 0
}

# True if PID exists and is not a zombie.
_lib_sshd_alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Send TERM to PIDS, wait up to ~2 s, then KILL what is left.
_lib_sshd_kill_wait() {
  local pid left
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 1 40); do
    left=0
    for pid in "$@"; do
      _lib_sshd_alive "$pid" && left=1
    done
    [ "$left" = 0 ] && return 0
    sleep 0.05
  done
  kill -KILL "$@" 2>/dev/null || true
  return 0
}

sshd_start() {
  if [ $# -ne 1 ] || [ -z "$1" ]; then
    _lib_sshd_err "usage: sshd_start DIR"
    return 1
  fi
  if [ -n "${SSHD_PID:-}" ] && _lib_sshd_alive "$SSHD_PID"; then
    _lib_sshd_err "sshd already running (pid $SSHD_PID); sshd_stop first"
    return 1
  fi
  local dir attempt port pid user hostkey pathenv extra=() env_mode
  if [ ! -x "$SSHD_EXE" ]; then
    _lib_sshd_err "$SSHD_EXE not found: install openssh-server (scripts/deps.sh test)"
    return 1
  fi
  if ! mkdir -p "$1" || ! dir=$(cd "$1" && pwd -P); then
    _lib_sshd_err "cannot create $1"
    return 1
  fi
  chmod 0700 "$dir"
  user=$(id -un) || return 1
  mkdir -p "$dir/bin"
  rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub" \
    "$dir/client_ed25519" "$dir/client_ed25519.pub"
  if ! ssh-keygen -q -t ed25519 -N '' -C opsbot-test-host \
    -f "$dir/host_ed25519" </dev/null ||
    ! ssh-keygen -q -t ed25519 -N '' -C opsbot-test-client \
      -f "$dir/client_ed25519" </dev/null; then
    _lib_sshd_err "ssh-keygen failed"
    return 1
  fi
  # Privilege separation directory; sshd refuses to start as root without.
  if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
    mkdir -m 0755 /run/sshd || {
      _lib_sshd_err "cannot create /run/sshd"
      return 1
    }
  fi

  pathenv="PATH=$dir/bin:/usr/local/bin:/usr/bin:/bin"
  # Probe once which optional keywords this sshd knows.
  env_mode=setenv
  if ! _lib_sshd_probe "$dir" "SetEnv $pathenv SHLVL=1"; then
    env_mode=authorized_keys
  fi
  # OpenSSH >= 9.8 penalises a source address after failed logins; tests
  # fail logins on purpose and everything comes from 127.0.0.1.
  if _lib_sshd_probe "$dir" "PerSourcePenalties no"; then
    extra+=("PerSourcePenalties no")
  fi

  if [ "$env_mode" = setenv ]; then
    extra+=("SetEnv $pathenv SHLVL=1")
    cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  else
    extra+=("PermitUserEnvironment PATH,SHLVL")
    printf 'environment="%s",environment="SHLVL=1" %s\n' "$pathenv" \
      "$(cat "$dir/client_ed25519.pub")" >"$dir/authorized_keys"
  fi
  chmod 0600 "$dir/authorized_keys"

  for attempt in 1 2 3 4 5; do
    port=$(_lib_sshd_pick_port) || return 1
    _lib_sshd_write_config "$dir" "$port" "${extra[@]}"
    : >"$dir/sshd.log"
    _lib_sshd_orphan_guard "$SSHD_EXE" -D -f "$dir/sshd_config" \
      -E "$dir/sshd.log" </dev/null >"$dir/sshd.stderr" 2>&1 &
    pid=$!
    for _ in $(seq 1 $((SSHD_START_TIMEOUT * 20))); do
      if ! _lib_sshd_alive "$pid"; then
        break
      fi
      if _lib_sshd_listening "$port"; then
        break
      fi
      sleep 0.05
    done
    if _lib_sshd_alive "$pid" && _lib_sshd_listening "$port"; then
      hostkey=$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")
      echo "[127.0.0.1]:$port $hostkey" >"$dir/known_hosts"
      export SSHD_PORT=$port SSHD_PID=$pid SSHD_DIR=$dir
      export SSHD_KEY=$dir/client_ed25519
      export SSHD_KNOWN_HOSTS=$dir/known_hosts
      export SSHD_USER=$user SSHD_BIN=$dir/bin
      return 0
    fi
    if _lib_sshd_alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      { wait "$pid"; } 2>/dev/null || true
      _lib_sshd_err "sshd (pid $pid) not listening on 127.0.0.1:$port" \
        "after ${SSHD_START_TIMEOUT}s"
      _lib_sshd_show_logs "$dir"
      return 1
    fi
    { wait "$pid"; } 2>/dev/null || true
    # Lost a race for the port? Try another one.
    if grep -qE 'Address already in use|Cannot bind any address' \
      "$dir/sshd.log" "$dir/sshd.stderr" 2>/dev/null; then
      continue
    fi
    break
  done
  _lib_sshd_err "sshd failed to start (127.0.0.1:$port, attempt $attempt)"
  _lib_sshd_show_logs "$dir"
  return 1
}

# The last lines of sshd's log and stderr, to stderr.
_lib_sshd_show_logs() {
  local f
  for f in "$1/sshd.log" "$1/sshd.stderr"; do
    if [ -s "$f" ]; then
      echo "lib-sshd: --- tail of $f:" >&2
      tail -n 20 "$f" | sed 's/^/  /' >&2
    fi
  done
}

# _lib_sshd_write_config DIR PORT [EXTRA-LINE...]
_lib_sshd_write_config() {
  local dir=$1 port=$2
  shift 2
  {
    echo "# Written by tests/integration/lib-sshd.sh; throwaway."
    echo "ListenAddress 127.0.0.1"
    echo "Port $port"
    echo "HostKey $dir/host_ed25519"
    echo "AuthorizedKeysFile $dir/authorized_keys"
    echo "PubkeyAuthentication yes"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "UsePAM no"
    echo "StrictModes no"
    echo "PermitRootLogin prohibit-password"
    echo "PidFile $dir/sshd.pid"
    echo "LogLevel VERBOSE"
    echo "MaxStartups 200:30:300"
    echo "MaxSessions 200"
    echo "UseDNS no"
    echo "PrintMotd no"
    echo "PrintLastLog no"
    echo "X11Forwarding no"
    echo "AllowAgentForwarding no"
    # No AcceptEnv line: the client can pass no variables.
    if [ $# -gt 0 ]; then
      printf '%s\n' "$@"
    fi
  } >"$dir/sshd_config"
}

# _lib_sshd_probe DIR LINE: does sshd -t accept the base config plus LINE?
_lib_sshd_probe() {
  local dir=$1 line=$2 ok=0
  _lib_sshd_write_config "$dir" 22 "$line"
  "$SSHD_EXE" -t -f "$dir/sshd_config" </dev/null >/dev/null 2>&1 || ok=1
  return $ok
}

sshd_ssh_config() {
  if [ $# -lt 2 ]; then
    _lib_sshd_err "usage: sshd_ssh_config DIR ALIAS..."
    return 1
  fi
  if [ -z "${SSHD_PORT:-}" ]; then
    _lib_sshd_err "sshd_ssh_config: sshd_start first"
    return 1
  fi
  local dir=$1 alias
  shift
  mkdir -p "$dir" || return 1
  {
    echo "# Written by tests/integration/lib-sshd.sh: aliases of one sshd."
    for alias in "$@"; do
      echo "Host $alias"
      echo "  HostName 127.0.0.1"
      echo "  Port $SSHD_PORT"
      echo "  User $SSHD_USER"
      echo "  IdentityFile $SSHD_KEY"
      echo "  UserKnownHostsFile $SSHD_KNOWN_HOSTS"
      echo "  IdentitiesOnly yes"
    done
  } >"$dir/ssh_config" || return 1
  echo "$dir/ssh_config"
}

# PIDs of ssh processes (clients, ControlMasters) whose command line names
# DIR/: a master's title is "ssh: CONTROLPATH [mux]".
_lib_sshd_ssh_pids() {
  local dir=$1 f pid comm
  while IFS= read -r f; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || continue
    [ "$comm" = ssh ] && _lib_sshd_alive "$pid" && echo "$pid"
  done < <(grep -lzF -- "$dir/" /proc/[0-9]*/cmdline 2>/dev/null)
  return 0
}

# PIDs of processes started through this sshd: their environment has
# SSH_CONNECTION="CLIENT CPORT 127.0.0.1 SSHD_PORT". Only readable for our
# own processes (or all, as root), which is what we can kill anyway.
_lib_sshd_remote_pids() {
  local port=$1 f pid
  while IFS= read -r f; do
    pid=${f#/proc/}
    pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    _lib_sshd_alive "$pid" && echo "$pid"
  done < <(grep -lzxE -- "SSH_CONNECTION=[^ ]+ [0-9]+ 127\.0\.0\.1 $port" \
    /proc/[0-9]*/environ 2>/dev/null)
  return 0
}

sshd_stop() {
  local pid=${SSHD_PID:-} dir=${SSHD_DIR:-} port=${SSHD_PORT:-}
  local pids=() sess=()
  if [ -n "$dir" ]; then
    mapfile -t pids < <(_lib_sshd_ssh_pids "$dir")
    _lib_sshd_kill_wait "${pids[@]}"
  fi
  if [ -n "$pid" ]; then
    # Per-connection sshd processes outlive the listener: collect first.
    mapfile -t sess < <(_lib_sshd_children "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    { wait "$pid"; } 2>/dev/null || true
    _lib_sshd_kill_wait "${sess[@]}"
  fi
  if [ -n "$port" ]; then
    # Remote commands of sessions that are gone (a killed client does not
    # stop e.g. "sleep 100" on the remote side).
    mapfile -t pids < <(_lib_sshd_remote_pids "$port")
    _lib_sshd_kill_wait "${pids[@]}"
  fi
  unset SSHD_PID
  return 0
}

silent_start() {
  if [ $# -ne 1 ] || [ -z "$1" ]; then
    _lib_sshd_err "usage: silent_start DIR"
    return 1
  fi
  if [ -z "${SILENT_LISTENER:-}" ] || [ ! -x "${SILENT_LISTENER:-}" ]; then
    _lib_sshd_err "silent_start: set SILENT_LISTENER to the built" \
      "tests/fakes/silent-listener (got '${SILENT_LISTENER:-}')"
    return 1
  fi
  if [ -n "${SILENT_PID:-}" ] && _lib_sshd_alive "$SILENT_PID"; then
    _lib_sshd_err "silent listener already running (pid $SILENT_PID)"
    return 1
  fi
  local dir=$1 pid port=""
  mkdir -p "$dir" || return 1
  rm -f "$dir/silent.port"
  _lib_sshd_orphan_guard "$SILENT_LISTENER" "$dir/silent.port" </dev/null \
    >"$dir/silent.stderr" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if [ -s "$dir/silent.port" ]; then
      read -r port <"$dir/silent.port"
      break
    fi
    _lib_sshd_alive "$pid" || break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    { wait "$pid"; } 2>/dev/null || true
    _lib_sshd_err "silent-listener did not start:"
    cat "$dir/silent.stderr" >&2
    return 1
  fi
  export SILENT_PORT=$port SILENT_PID=$pid
  return 0
}

silent_stop() {
  local pid=${SILENT_PID:-}
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    { wait "$pid"; } 2>/dev/null || true
  fi
  unset SILENT_PID
  return 0
}

lib_sshd_cleanup() {
  sshd_stop
  silent_stop
}
