#!/usr/bin/env bash
# Installs what the harness needs to run Redis locally: redis-server (Debian/Ubuntu, with apt),
# and Chromium for the suite that opens the chaos report in a browser.
# Docker is optional: with a Docker engine the containers provider is used instead.
#   sudo scripts/setup.sh            install redis-server
#   sudo scripts/setup.sh --docker   also install docker.io and build the local Redis image
set -euo pipefail
cd "$(dirname "$0")/.."
with_docker=false
[ "${1:-}" = "--docker" ] && with_docker=true

packages=()
command -v redis-server >/dev/null || packages+=(redis-server)
command -v gcc >/dev/null || packages+=(gcc libc6-dev)  # builds the clockshift preload library
[ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || packages+=(chromium)  # opens the chaos report in the report suite
$with_docker && ! command -v dockerd >/dev/null && packages+=(docker.io)

if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: installing ${packages[*]} needs root: run  sudo scripts/setup.sh${1:+ $1}" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null; then
    echo "setup: no apt-get here. Install Redis with your package manager (macOS: brew install redis) or start Docker." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
echo "setup: $(redis-server --version | cut -d' ' -f1-3)"

if $with_docker; then
  if ! docker info >/dev/null 2>&1; then
    echo "setup: starting dockerd in the background (log: /tmp/rc-dockerd.log)"
    (dockerd >/tmp/rc-dockerd.log 2>&1 &)
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { echo "setup: dockerd did not come up; see /tmp/rc-dockerd.log" >&2; exit 1; }
  fi
  echo "setup: image $(scripts/build-redis-image.sh) (the containers provider uses it when redis:7 is absent; REDIS_IMAGE overrides)"
fi
