#!/usr/bin/env bash
# Starts the tutorial's six cluster nodes on ports 7000-7005, each in its own
# directory (cluster-test/7000 ...) from a minimal config, in the background.
# TROUPE_SERVER: the binary (default: build/release/troupe-server of this checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${TROUPE_SERVER:-$here/../../build/release/troupe-server}"
base="${CLUSTER_DIR:-$PWD/cluster-test}"
ports="${PORTS:-7000 7001 7002 7003 7004 7005}"
for port in $ports; do
  mkdir -p "$base/$port"
  cat > "$base/$port/troupe.conf" <<CONF
port $port
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 5000
appendonly yes
# DEBUG SEGFAULT below, from this machine only.
enable-debug-command local
CONF
  (cd "$base/$port" && "$bin" troupe.conf --daemonize yes --logfile troupe.log --pidfile troupe.pid)
done
for port in $ports; do
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
done
echo "nodes up on ports: $ports (logs in $base/<port>/troupe.log)"
