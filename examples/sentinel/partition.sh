#!/usr/bin/env bash
# Three Sentinels in one process (troupe-server sentinel.conf --sentinel
# --local-sentinels 3) and a network partition made with SENTINEL
# DEBUG-LINK-FILTER (a Troupe extension): the first Sentinel is cut off from
# the master, the replica and the two other Sentinels (and they from it). The
# master dies; the two others still reach quorum 2 and fail over, the lone one
# sees only +sdown. Healed, it learns the new master from the others.
#
#   examples/sentinel/partition.sh      # master 6379, replica 6380, Sentinels 5000-5002
#   MASTER_PORT=7379 REPLICA_PORT=7380 SENTINEL_PORT=7000 examples/sentinel/partition.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="${TROUPE_SERVER:-$here/../../build/release/troupe-server}"
m="${MASTER_PORT:-6379}"
r="${REPLICA_PORT:-6380}"
s0="${SENTINEL_PORT:-5000}"
s1=$((s0 + 1)) s2=$((s0 + 2))
dir="${SENTINEL_DIR:-$PWD/sentinel-partition}"
step() { printf '\n== %s\n' "$*"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_for() {  # wait_for <seconds> <command...>
  local t=$(($1 * 5)); shift
  for _ in $(seq 1 "$t"); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.2; done
  echo "timed out: $*" >&2; return 1
}
filter() {  # filter <sentinel port> <address port> DROP|PASS
  redis-cli -p "$1" sentinel debug-link-filter 127.0.0.1 "$2" "$3" >/dev/null
}

rm -rf "$dir" && mkdir -p "$dir"
step "a master on $m and a replica on $r"
"$server" --port "$m" --save "" --dir "$dir" --logfile "$dir/master.log" & master=$!
pids+=($master)
"$server" --port "$r" --save "" --dir "$dir" --logfile "$dir/replica.log" \
  --replicaof 127.0.0.1 "$m" & pids+=($!)
wait_for 10 sh -c "redis-cli -p $r info replication | grep -q master_link_status:up"

step "three Sentinels in one process on $s0-$s2 (state in $dir/sentinel.conf.<port>)"
cat > "$dir/sentinel.conf" <<EOF
sentinel monitor mymaster 127.0.0.1 $m 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
EOF
"$server" "$dir/sentinel.conf" --sentinel --local-sentinels 3 --port "$s0" \
  --logfile "$dir/sentinels.log" & pids+=($!)
for p in "$s0" "$s1" "$s2"; do
  wait_for 30 sh -c "redis-cli -p $p info sentinel | grep -q 'status=ok,.*slaves=1,sentinels=3'"
done
redis-cli -p "$s0" info sentinel | grep master0

step "partition: $s0 on one side; $m, $r, $s1, $s2 on the other"
for p in "$m" "$r" "$s1" "$s2"; do filter "$s0" "$p" DROP; done
for p in "$s1" "$s2"; do filter "$p" "$s0" DROP; done
redis-cli -p "$s0" sentinel debug-link-filter
wait_for 20 sh -c "redis-cli -p $s0 sentinel master mymaster | grep -q s_down"
echo "$s0 sees the master as: $(redis-cli -p "$s0" sentinel master mymaster | sed -n '/^flags$/{n;p}')"

step "the master dies: $s1 and $s2 fail over to $r"
{ kill -9 "$master" && wait "$master"; } 2>/dev/null || true
wait_for 60 sh -c "redis-cli -p $s1 sentinel get-master-addr-by-name mymaster | grep -qx $r"
echo "$s1: $(redis-cli -p "$s1" sentinel get-master-addr-by-name mymaster | paste -sd:)"
echo "$s0 (partitioned): $(redis-cli -p "$s0" sentinel get-master-addr-by-name mymaster | paste -sd:)"

step "healed: $s0 learns the new master"
for p in "$m" "$r" "$s1" "$s2"; do filter "$s0" "$p" PASS; done
for p in "$s1" "$s2"; do filter "$p" "$s0" PASS; done
wait_for 30 sh -c "redis-cli -p $s0 sentinel get-master-addr-by-name mymaster | grep -qx $r"
echo "$s0: $(redis-cli -p "$s0" sentinel get-master-addr-by-name mymaster | paste -sd:)"

step "the events (one log for the three Sentinels)"
grep -E "\+sdown|\+odown|\+try-failover|\+elected-leader|\+switch-master|\+config-update-from" \
  "$dir/sentinels.log" || true
