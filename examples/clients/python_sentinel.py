"""redis-py through Sentinels: redis.sentinel.Sentinel asks them for the
master of "mymaster", writes to it, and follows a failover to the promoted
replica (every new connection asks the Sentinels again). Exits 0 once it has
written to two masters in turn and seen +switch-master, 1 after <seconds>.

    python3 python_sentinel.py 26379,26380,26381 [seconds]
"""
import sys
import time

import redis
from redis.sentinel import Sentinel

ports = [int(p) for p in sys.argv[1].split(",")]
limit = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0

sentinel = Sentinel([("127.0.0.1", p) for p in ports], socket_timeout=0.5)
master = sentinel.master_for("mymaster", socket_timeout=0.5)
print("the Sentinels say the master is %s:%d" % sentinel.discover_master("mymaster"), flush=True)

events = sentinel.sentinels[0].pubsub()
events.subscribe("+switch-master")

masters, switched, i = [], False, 0
start = time.time()
while time.time() - start < limit:
    msg = events.get_message(timeout=0.01)
    if msg and msg["type"] == "message":
        print("+switch-master", msg["data"].decode(), flush=True)
        switched = True
    try:
        i += 1
        master.set("sentinel:counter", i)
        port = master.config_get("port")["port"]
        if not masters or masters[-1] != port:
            masters.append(port)
            print("writing to the master on port", port, flush=True)
        if len(masters) >= 2 and switched:
            print("followed the failover", flush=True)
            sys.exit(0)
    except redis.exceptions.RedisError:
        pass  # the master is gone: the next command asks the Sentinels again
    time.sleep(0.05)
print("timed out", flush=True)
sys.exit(1)
