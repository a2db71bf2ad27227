#!/usr/bin/env bash
# Installs the Debian packages opsbot needs, by purpose:
#   scripts/deps.sh [build]      build and run the bot (make build, make run)
#   scripts/deps.sh deb          build + what CPack's DEB generator uses (make deb)
#   scripts/deps.sh test         build + deb + everything the tests use (make test)
#   scripts/deps.sh --list SET   print SET's packages, one a line; install nothing
# Idempotent and quick when everything is there; not root, it prints the
# exact apt-get line to run instead. "build" never installs daemons: the
# test set brings openssh-server, prometheus-alertmanager and prometheus,
# whose Debian packages start their daemons, and a user who only wants to
# run the bot must not get them.
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config                       # toolchain
  libwebsockets-dev libcjson-dev libcurl4-openssl-dev    # the bot's libraries
  libsqlite3-dev libedit-dev                             # libedit: the console's line editing
  tzdata                                                 # schedules and checklists read time zones
  openssh-client                                         # remote hosts over the system ssh client
)
test_packages=(
  clang libclang-rt-dev                                  # ASan/UBSan and libFuzzer build
  sqlite3 procps curl jq                                 # tests read the store; bench reads /proc
  openssh-server iproute2                                # tests run a real sshd on loopback (ss)
  prometheus-alertmanager                                # alert tests fire and resolve through a real Alertmanager
  prometheus                                             # promtool checks /metrics; a real Prometheus scrapes the bot
  prometheus-node-exporter victoria-metrics             # integration/promql: /health and /disk from real node_exporter series
  man-db groff-base                                      # the install test renders the man pages (man -l)
  tmux                                                   # console-tty.sh types into the console on a real terminal
  chromium fonts-dejavu-core                             # integration/web loads the web page in headless Chromium
)
deb_packages=(
  dpkg-dev file                                          # CPack's DEB generator: dpkg-shlibdeps computes Depends
)

list=0
if [ "${1:-}" = "--list" ]; then
  list=1
  shift
fi
set_name=${1:-build}
case "$set_name" in
build) packages=("${build_packages[@]}") ;;
deb)   packages=("${build_packages[@]}" "${deb_packages[@]}") ;;
test)  packages=("${build_packages[@]}" "${deb_packages[@]}" "${test_packages[@]}") ;;
*)     echo "usage: scripts/deps.sh [--list] [build|deb|test]" >&2; exit 2 ;;
esac
if [ "$list" -eq 1 ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "opsbot: missing Debian packages ($set_name): ${missing[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "opsbot: installing ($set_name) ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
