#!/usr/bin/env bash
# Forms the cluster from the six nodes with the stock redis-cli: 3 masters,
# one replica each.
set -euo pipefail
redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 \
  127.0.0.1:7003 127.0.0.1:7004 127.0.0.1:7005 --cluster-replicas 1 --cluster-yes
