#!/usr/bin/env bash
# Stops every node of the tutorial (SIGTERM: each saves and exits; masters
# first wait up to shutdown-timeout for their replicas), then removes their
# directories. A node still running after 20 seconds is killed.
base="${CLUSTER_DIR:-$PWD/cluster-test}"
pids=()
for pidfile in "$base"/*/troupe.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null && pids+=("$pid")
done
for _ in $(seq 1 200); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.1
done
for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
rm -rf "$base"
