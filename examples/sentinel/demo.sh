#!/usr/bin/env bash
# Redis's Sentinel quick start against Troupe: a master and a replica, three
# Sentinels (troupe-server sentinel.conf --sentinel) each from a minimal
# sentinel.conf; SENTINEL MASTER / REPLICAS / SENTINELS /
# GET-MASTER-ADDR-BY-NAME; then DEBUG SLEEP 30 on the master and the address
# moving to the replica, with the +sdown, +odown, vote and failover events in
# the Sentinels' logs. Every step uses stock redis-cli.
#
#   examples/sentinel/demo.sh            # master 6379, replica 6380, Sentinels 5000-5002
#   MASTER_PORT=7379 REPLICA_PORT=7380 SENTINEL_PORT=7000 examples/sentinel/demo.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="${TROUPE_SERVER:-$here/../../build/release/troupe-server}"
m="${MASTER_PORT:-6379}"
r="${REPLICA_PORT:-6380}"
s0="${SENTINEL_PORT:-5000}"
down_after="${DOWN_AFTER_MS:-5000}"
dir="${SENTINEL_DIR:-$PWD/sentinel-demo}"
step() { printf '\n== %s\n' "$*"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_for() {  # wait_for <seconds> <command...>
  local t=$(($1 * 5)); shift
  for _ in $(seq 1 "$t"); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.2; done
  echo "timed out: $*" >&2; return 1
}

rm -rf "$dir" && mkdir -p "$dir"
step "a master on $m and a replica on $r"
"$server" --port "$m" --save "" --enable-debug-command yes --dir "$dir" \
  --logfile "$dir/master.log" & pids+=($!)
"$server" --port "$r" --save "" --dir "$dir" --logfile "$dir/replica.log" \
  --replicaof 127.0.0.1 "$m" & pids+=($!)
wait_for 10 sh -c "redis-cli -p $m info replication | grep -q connected_slaves:1"

step "three Sentinels on $s0-$((s0 + 2))"
for i in 0 1 2; do
  p=$((s0 + i))
  mkdir -p "$dir/$p"
  cat > "$dir/$p/sentinel.conf" <<EOF
port $p
sentinel monitor mymaster 127.0.0.1 $m 2
sentinel down-after-milliseconds mymaster $down_after
sentinel failover-timeout mymaster 60000
sentinel parallel-syncs mymaster 1
EOF
  "$server" "$dir/$p/sentinel.conf" --sentinel --logfile "$dir/$p/sentinel.log" & pids+=($!)
done
wait_for 30 sh -c "redis-cli -p $s0 info sentinel | grep -q 'slaves=1,sentinels=3'"

step "SENTINEL master mymaster (num-other-sentinels 2, flags master, num-slaves 1)"
redis-cli -p "$s0" sentinel master mymaster | paste - - | grep -E "^(name|ip|port|flags|num-slaves|num-other-sentinels|quorum)\s" || true
step "SENTINEL replicas / sentinels / get-master-addr-by-name"
redis-cli -p "$s0" sentinel replicas mymaster | paste - - | grep -E "^(name|flags)\s" || true
redis-cli -p "$s0" sentinel sentinels mymaster | paste - - | grep -E "^(name|port)\s" || true
redis-cli -p "$s0" sentinel get-master-addr-by-name mymaster

step "DEBUG sleep 30 on the master: the Sentinels fail over to $r"
redis-cli -p "$m" debug sleep 30 >/dev/null & pids+=($!)
wait_for 60 sh -c "redis-cli -p $s0 sentinel get-master-addr-by-name mymaster | grep -qx $r"
redis-cli -p "$s0" sentinel get-master-addr-by-name mymaster

step "the events in the first Sentinel's log"
grep -E "\+sdown|\+odown|\+vote-for-leader|\+elected-leader|\+try-failover|\+promoted-slave|\+switch-master|\+failover-end" \
  "$dir/$s0/sentinel.log" || true
