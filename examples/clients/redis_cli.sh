#!/bin/sh
# Talking to Troupe with the stock redis-cli: nothing Troupe-specific.
# Usage: examples/clients/redis_cli.sh [port]   (default 6379)
set -e
PORT=${1:-6379}
cli() { redis-cli -p "$PORT" "$@"; }

cli set greeting "hello from redis-cli"
cli get greeting
cli rpush queue job1 job2 job3 >/dev/null
cli lrange queue 0 -1
cli hset user:1 name Ada lang C++ >/dev/null
cli hgetall user:1
# A transaction, piped in as redis-cli reads it from stdin.
printf 'MULTI\nINCR visits\nINCR visits\nEXEC\n' | cli
cli info server | grep -E '^(redis_version|troupe_version|process_id):' || true
cli del greeting queue user:1 visits >/dev/null
