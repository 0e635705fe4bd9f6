// ioredis through Sentinels: it asks them for the master of "mymaster",
// writes to it, and follows a failover (+switch-master) to the promoted
// replica. Exits 0 once it has written to two masters in turn and seen
// +switch-master, 1 after <seconds>.
//
//   node sentinel_client.js 26379,26380,26381 [seconds]
"use strict";
const Redis = require("ioredis");

const ports = process.argv[2].split(",").map(Number);
const limitMs = Number(process.argv[3] || 60) * 1000;
const sentinels = ports.map((port) => ({ host: "127.0.0.1", port }));

const redis = new Redis({
  sentinels,
  name: "mymaster",
  // Not failoverDetector: true (ioredis 5.11): a +switch-master arriving while the
  // client waits to retry its Sentinels left it connecting forever (1 run in 4 here).
  sentinelRetryStrategy: () => 100,
  retryStrategy: () => 100,
  maxRetriesPerRequest: 1,
});
redis.on("error", () => {});

let switched = false;
const sub = new Redis({ host: "127.0.0.1", port: ports[0] });
sub.on("error", () => {});
sub.subscribe("+switch-master");
sub.on("message", (channel, message) => {
  console.log(`${channel} ${message}`);
  switched = true;
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const start = Date.now();
  const masters = [];
  let i = 0;
  while (Date.now() - start < limitMs) {
    try {
      await redis.set("sentinel:counter", ++i);
      const port = (await redis.config("GET", "port"))[1];
      if (masters[masters.length - 1] !== port) {
        masters.push(port);
        console.log(`writing to the master on port ${port}`);
      }
      if (masters.length >= 2 && switched) {
        console.log("followed the failover");
        redis.disconnect();
        sub.disconnect();
        return 0;
      }
    } catch (e) {
      // The master is gone: ioredis asks the Sentinels again on reconnection.
    }
    await sleep(50);
  }
  console.log("timed out");
  return 1;
}

main().then((code) => process.exit(code));
