#!/usr/bin/env bash
# Redis's cluster tutorial, step by step, against Troupe: start six nodes,
# create the cluster, follow redirects with redis-cli -c, reshard 1000 slots,
# crash a master and watch its replica take over, add a node, give it slots,
# turn it into a replica, and remove a node. Every step uses stock redis-cli.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CLUSTER_DIR="${CLUSTER_DIR:-$PWD/cluster-test}"
step() { printf '\n== %s\n' "$*"; }
# redis-cli --cluster check until it passes: after a reshard the nodes learn
# the new owners by gossip, within a second or so.
check() {
  for _ in $(seq 1 30); do
    if out="$(redis-cli --cluster check 127.0.0.1:7000)"; then
      echo "$out" | tail -3
      return 0
    fi
    sleep 1
  done
  echo "$out" >&2; return 1
}
id_of() { redis-cli -p "$1" cluster myid; }
wait_ok() {
  for _ in $(seq 1 300); do
    if redis-cli -p "$1" cluster info | grep -q cluster_state:ok; then return 0; fi
    sleep 0.2
  done
  echo "port $1: cluster_state not ok" >&2; return 1
}

step "start six nodes (7000-7005)"
"$here/start.sh"
trap '"$here/stop.sh"' EXIT

step "create: 3 masters, 3 replicas"
"$here/create.sh"
wait_ok 7000

step "redis-cli -c follows MOVED"
redis-cli -c -p 7000 set foo bar
redis-cli -c -p 7000 get foo

step "reshard 1000 slots from 7000 to 7001"
redis-cli --cluster reshard 127.0.0.1:7000 --cluster-from "$(id_of 7000)" \
  --cluster-to "$(id_of 7001)" --cluster-slots 1000 --cluster-yes >/dev/null
check

step "crash master 7002 (DEBUG SEGFAULT); its replica takes over"
redis-cli -p 7002 debug segfault || true
for _ in $(seq 1 300); do
  if redis-cli -p 7001 cluster nodes | grep -q "127.0.0.1:7002.*master,fail"; then break; fi
  sleep 0.2
done
wait_ok 7000
redis-cli -p 7000 cluster nodes | grep -E "7002|master"

step "restart 7002: it comes back as a replica"
(cd "$CLUSTER_DIR/7002" && "${TROUPE_SERVER:-$here/../../build/release/troupe-server}" troupe.conf \
  --daemonize yes --logfile troupe.log --pidfile troupe.pid)
sleep 2
redis-cli -p 7002 cluster nodes | grep myself

step "add node 7006 as a master and give it 500 slots"
PORTS=7006 "$here/start.sh"
redis-cli --cluster add-node 127.0.0.1:7006 127.0.0.1:7000
sleep 2
redis-cli --cluster reshard 127.0.0.1:7000 --cluster-from "$(id_of 7000)" \
  --cluster-to "$(id_of 7006)" --cluster-slots 500 --cluster-yes >/dev/null
check

step "empty 7006 again, remove it, and add it back as a replica of 7000"
redis-cli --cluster reshard 127.0.0.1:7000 --cluster-from "$(id_of 7006)" \
  --cluster-to "$(id_of 7000)" --cluster-slots 500 --cluster-yes >/dev/null
id7006="$(id_of 7006)"
redis-cli --cluster del-node 127.0.0.1:7000 "$id7006"
PORTS=7006 "$here/start.sh"   # del-node shut it down: start it afresh
redis-cli -p 7006 cluster reset hard >/dev/null
redis-cli --cluster add-node 127.0.0.1:7006 127.0.0.1:7000 --cluster-slave \
  --cluster-master-id "$(id_of 7000)"
sleep 3
redis-cli -p 7006 cluster nodes | grep myself
check
echo; echo "tutorial done"
