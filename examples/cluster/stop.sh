#!/usr/bin/env bash
# Stops every node of the tutorial and removes their directories.
base="${CLUSTER_DIR:-$PWD/cluster-test}"
for pidfile in "$base"/*/troupe.pid; do
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
done
sleep 1
rm -rf "$base"
