// Talking to Troupe with ioredis, as to any Redis.
// Setup: cd examples/clients/node && npm install
// Usage: node client.js [port]   (default 6379)
const Redis = require("ioredis");

async function main() {
  const port = Number(process.argv[2] || 6379);
  const redis = new Redis({ host: "127.0.0.1", port });

  await redis.set("greeting", "hello from ioredis");
  console.log(await redis.get("greeting"));

  // A pipeline and a transaction.
  const piped = await redis.pipeline().incr("visits").incr("visits").exec();
  console.log("pipeline:", piped.map(([, v]) => v));
  const tx = await redis.multi().rpush("queue", "a", "b").lrange("queue", 0, -1).exec();
  console.log("transaction:", tx.map(([, v]) => v));

  // Pub/sub on a second connection.
  const sub = new Redis({ host: "127.0.0.1", port });
  await sub.subscribe("news");
  const received = new Promise((resolve) => sub.on("message", (_ch, msg) => resolve(msg)));
  await redis.publish("news", "troupe is up");
  console.log("received:", await received);

  await redis.del("greeting", "visits", "queue");
  sub.disconnect();
  redis.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
