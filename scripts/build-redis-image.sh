#!/usr/bin/env bash
# Builds a minimal Redis image from the redis-server installed on this machine, for hosts that
# reach no container registry (CI here). The containers provider uses it by default when redis:7
# is not on the engine (REDIS_IMAGE overrides).
# Usage: scripts/build-redis-image.sh [image-name]   (default: redlock-conformance/redis:local)
set -euo pipefail
image="${1:-redlock-conformance/redis:local}"
server="$(command -v redis-server || true)"
[ -n "$server" ] || { echo "build-redis-image: redis-server is not installed (run scripts/setup.sh as root)" >&2; exit 1; }
command -v docker >/dev/null || { echo "build-redis-image: docker CLI not found" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build-redis-image: no Docker engine answers (start dockerd)" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
# rm and sh are in the image so the fleet can drop a saved dump inside a running container.
bins=("$(readlink -f "$server")" "$(readlink -f "$(command -v redis-cli)")" /bin/sh /bin/rm /bin/sleep)
for bin in "${bins[@]}"; do
  mkdir -p "$root$(dirname "$bin")"
  cp -L "$bin" "$root$bin"
  # ldd prints "name => /path (addr)" and the loader as "/lib64/ld-linux... (addr)".
  ldd "$bin" | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}' | while read -r lib; do
    [ -n "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
    # keep the path the loader asks for when it differs from the resolved one (usrmerge links)
  done
done
mkdir -p "$root/usr/local/bin" "$root/data" "$root/tmp" "$root/etc" "$root/lib64"
ln -sf "$(readlink -f "$server")" "$root/usr/local/bin/redis-server"
ln -sf "$(readlink -f "$(command -v redis-cli)")" "$root/usr/local/bin/redis-cli"
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || { [ -e /lib64/ld-linux-x86-64.so.2 ] && cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"; } || true
chmod 1777 "$root/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
# The image this build replaces is removed once untagged: every CI run builds anew, and each left
# an 18 MB <none> image behind (nine after a day's runs). One still used by a container stays.
previous="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'WORKDIR /data' \
  --change 'EXPOSE 6379' \
  --change 'CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no"]' \
  - "$image" >/dev/null
docker run --rm "$image" redis-server --version >/dev/null
current="$(docker image inspect --format '{{.Id}}' "$image")"
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
echo "$image"
