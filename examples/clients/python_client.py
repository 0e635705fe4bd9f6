#!/usr/bin/env python3
"""Talking to Troupe with redis-py (Debian: python3-redis), as to any Redis.

Usage: examples/clients/python_client.py [port]   (default 6379)
"""
import sys

import redis

port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)

r.set("greeting", "hello from redis-py")
print(r.get("greeting"))

# A pipeline wrapped in MULTI/EXEC.
with r.pipeline(transaction=True) as p:
    p.incr("visits").incr("visits").expire("visits", 60)
    print("transaction:", p.execute())

# Sorted sets: a leaderboard.
r.zadd("scores", {"ada": 12, "grace": 30, "linus": 7})
print("top:", r.zrevrange("scores", 0, 1, withscores=True))

# Pub/sub: subscribe, publish, read the message back.
ps = r.pubsub(ignore_subscribe_messages=True)
ps.subscribe("news")
r.publish("news", "troupe is up")
message = None
while message is None:
    message = ps.get_message(timeout=5)
print("received:", message["data"])
ps.close()

# RESP3 (redis-py >= 5 speaks it with protocol=3).
try:
    r3 = redis.Redis(host="127.0.0.1", port=port, protocol=3, decode_responses=True)
    print("RESP3 hgetall:", r3.hset("h", mapping={"a": "1"}) and r3.hgetall("h"))
except TypeError:
    pass  # an older redis-py without RESP3

r.delete("greeting", "visits", "scores", "h")
