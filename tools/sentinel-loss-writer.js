#!/usr/bin/env node
// The writer of tools/bench-sentinel-loss (and tests/integration/sentinel_durability_test):
// ioredis connected through Sentinels (`sentinels: [...]`, `name`), writing
// unique keys and recording each write the client was told succeeded.
//
//   node sentinel-loss-writer.js --sentinels 26379,26380 --name mymaster
//        --mode plain|wait [--wait-timeout 1000] [--concurrency 32] [--value-size 64]
//        [--prefix w] --out acked.txt
//
// mode plain: a write is acknowledged when SET answers OK (what an ordinary
// client counts on). mode wait: SET and `WAIT 1 <timeout>` are sent together in
// one pipeline on one connection, and the write is acknowledged only when SET
// answers OK and WAIT answers >= 1 (one replica has it). Unanswered commands are
// never resent on another connection (autoResendUnfulfilledCommands false): a
// WAIT alone on a new master would answer at once for writes it never saw.
//
// Prints `acked N errors E` every 100 ms on stdout; stops on a line `stop` on
// stdin (or stdin's end), then writes every acknowledged key, one a line, to
// --out and prints `done acked N errors E`. The value of key k is
// valueOf(k, size): the key, ':', then 'x' up to size bytes.
"use strict";
const path = require("path");

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

let Redis;
try {
  Redis = require(process.env.IOREDIS_PATH ||
                  path.join(__dirname, "..", "examples", "clients", "node", "node_modules", "ioredis"));
} catch (e) {
  console.error("ioredis is not installed (npm install in examples/clients/node)");
  process.exit(3);
}
if (process.argv.includes("--probe")) process.exit(0);

const sentinels = arg("sentinels", "26379").split(",").map((p) => ({ host: "127.0.0.1", port: Number(p) }));
const name = arg("name", "mymaster");
const mode = arg("mode", "plain");
const waitTimeout = Number(arg("wait-timeout", "1000"));
const concurrency = Number(arg("concurrency", "32"));
const valueSize = Number(arg("value-size", "64"));
const prefix = arg("prefix", "w");
const out = arg("out", "acked.txt");

function valueOf(key, size) {
  const v = key + ":";
  return v.length >= size ? v : v + "x".repeat(size - v.length);
}

const redis = new Redis({
  sentinels,
  name,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 1,
  sentinelRetryStrategy: () => 100,
  retryStrategy: () => 100,
  connectTimeout: 2000,
  lazyConnect: false,
});
redis.on("error", () => {});

const acked = [];
let errors = 0;
let stopping = false;
let seq = 0;

async function worker(w) {
  while (!stopping) {
    const key = `${prefix}:${w}:${seq++}`;
    const value = valueOf(key, valueSize);
    try {
      if (mode === "wait") {
        const res = await redis.pipeline().set(key, value).wait(1, waitTimeout).exec();
        const [setErr, setRes] = res[0];
        const [waitErr, waitRes] = res[1];
        if (!setErr && setRes === "OK" && !waitErr && Number(waitRes) >= 1) acked.push(key);
        else errors++;
      } else {
        const r = await redis.set(key, value);
        if (r === "OK") acked.push(key);
        else errors++;
      }
    } catch (e) {
      errors++;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const progress = setInterval(() => process.stdout.write(`acked ${acked.length} errors ${errors}\n`), 100);
const workers = [];
for (let w = 0; w < concurrency; w++) workers.push(worker(w));

let input = "";
function stop() {
  if (stopping) return;
  stopping = true;
  // A request still queued after 5 s is counted as unacknowledged.
  const deadline = new Promise((r) => setTimeout(r, 5000));
  Promise.race([Promise.all(workers), deadline]).then(() => {
    clearInterval(progress);
    require("fs").writeFileSync(out, acked.join("\n") + (acked.length ? "\n" : ""));
    process.stdout.write(`done acked ${acked.length} errors ${errors}\n`);
    redis.disconnect();
    process.exit(0);
  });
}
process.stdin.on("data", (d) => {
  input += d;
  if (input.includes("stop")) stop();
});
process.stdin.on("end", stop);
