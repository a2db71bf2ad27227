#!/usr/bin/env bash
# Installs the Debian packages opsbot needs to build, run and test.
# Idempotent and quick when everything is there; not root, it prints the
# exact apt-get line to run instead.
set -euo pipefail

packages=(
  build-essential cmake pkg-config                       # toolchain
  libwebsockets-dev libcjson-dev libcurl4-openssl-dev    # the bot's libraries
  libsqlite3-dev
  clang libclang-rt-dev                                  # ASan/UBSan and libFuzzer build
  sqlite3 procps tzdata curl jq                                 # tests read the store; bench reads /proc; time zones
  openssh-client openssh-server iproute2                 # remote hosts over ssh; tests run a real sshd on loopback (ss)
  prometheus-alertmanager                                # alert tests fire and resolve through a real Alertmanager
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "opsbot: missing Debian packages: ${missing[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "opsbot: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
