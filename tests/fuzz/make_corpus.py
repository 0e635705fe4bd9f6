#!/usr/bin/env python3
"""Regenerates the fuzzers' seed corpora in tests/fuzz/corpus/ (committed; run this
only to refresh them). Needs redis-server 7.0 and redis-cli on the PATH.

- request_parser: RESP pipelines as clients send them (multi-bulk and inline).
- config: directives of redis.conf (Debian's, comments stripped), in pieces.
- restore: DUMP payloads that redis-server returns for every type and
  encoding, plus payloads of the older encodings (ziplist, zipmap, quicklist 1,
  text scores) built by hand with the public format.
- rdb: dump.rdb files saved by redis-server (every type and encoding, expiries,
  several databases) and older-version files built by hand.
- aof: manifests and AOF files written by redis-server (commands, RDB preamble).
- glob: patterns and texts (flag byte, pattern length, pattern, text).
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def crc64(data, crc=0):
    poly = 0x95AC9329AC4BC9B5  # Jones polynomial, reflected
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (poly if crc & 1 else 0)
    return crc


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name.replace(".", "_")  # .rdb and .aof files are ignored by git
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b":"):
            return rest
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if t == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError("bad reply " + repr(line))

    def __call__(self, *args):
        self.s.sendall(resp(*args))
        return self._reply()


def start_redis(d, port, *extra):
    p = subprocess.Popen(["redis-server", "--port", str(port), "--dir", d, "--save", "",
                          "--enable-debug-command", "yes", *extra],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            c = Client(port)
            c("PING")
            return p, c
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Small thresholds so that every encoding appears with little data.
SMALL = ["--list-max-listpack-size", "4", "--hash-max-listpack-entries", "4",
         "--set-max-intset-entries", "4", "--zset-max-listpack-entries", "4"]


def fill(c, now_ms):
    c("SELECT", 0)
    for v in ["0", "-1", "127", "-129", "40000", "-2147483648", "9223372036854775807",
              "007", "hello", ""]:
        c("SET", "s:" + v, v)
    c("SET", "s:lzf", "abcabcabc" * 12 + "end")
    c("SET", "s:bin", bytes(range(256)))
    c("RPUSH", "l:small", "a", "1", "-70000", "", "b")
    c("RPUSH", "l:nodes", *["v%d" % i for i in range(10)], "12", "-5")
    c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "50")
    c("RPUSH", "l:plain", "x", "p" * 60, "y")
    c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", str(1 << 30))
    c("HSET", "h:lp", "f", "v", "n", "12")
    c("HSET", "h:table", *sum([["f%d" % i, str(i)] for i in range(6)], []))
    c("SADD", "set:int", "1", "-3", "70000")
    c("SADD", "set:big", "1", "2", "3", "4", "5000000000")
    c("SADD", "set:str", "a", "b", "1")
    c("ZADD", "z:lp", "1", "a", "2.5", "b", "-inf", "c")
    c("ZADD", "z:skip", "1", "a", "2", "b", "3", "c", "4", "d", "5e300", "e", "inf", "f")
    c("SET", "ttl:s", "v", "PXAT", str(now_ms + 3600000))
    c("HSET", "ttl:h", "a", "b")
    c("PEXPIREAT", "ttl:h", str(now_ms + 7200000))
    c("SELECT", 3)
    c("SET", "db3", "three")
    c("RPUSH", "db3:l", "x")
    c("SELECT", 15)
    c("SADD", "db15", "m")
    c("SELECT", 0)


def real_server_corpora():
    d = tempfile.mkdtemp(prefix="troupe-corpus-")
    port = free_port()
    p, c = start_redis(d, port, *SMALL)
    try:
        now_ms = int(time.time() * 1000)
        fill(c, now_ms)
        # DUMP payloads of every key of db 0.
        for k in sorted(c("KEYS", "*")):
            payload = c("DUMP", k)
            name = k.decode(errors="replace").replace(":", "_").replace("/", "_")
            write("restore", "redis_" + name, payload)
        c("SAVE")
        write("rdb", "redis_every_type.rdb", open(os.path.join(d, "dump.rdb"), "rb").read())
        # One key per file, for shorter seeds.
        for k in ["l:nodes", "z:skip", "h:table", "set:big", "s:lzf"]:
            c("FLUSHALL")
            fill(c, now_ms)
            for other in c("KEYS", "*"):
                if other != k.encode():
                    c("DEL", other)
            c("SELECT", 3)
            c("FLUSHDB")
            c("SELECT", 15)
            c("FLUSHDB")
            c("SELECT", 0)
            c("SAVE")
            write("rdb", "redis_" + k.replace(":", "_") + ".rdb",
                  open(os.path.join(d, "dump.rdb"), "rb").read())
        c("FLUSHALL")
        c("SAVE")
        write("rdb", "redis_empty.rdb", open(os.path.join(d, "dump.rdb"), "rb").read())
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(d)

    # AOF: commands only, then an RDB preamble after a rewrite.
    for preamble in ["no", "yes"]:
        d = tempfile.mkdtemp(prefix="troupe-corpus-")
        port = free_port()
        p, c = start_redis(d, port, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                           *SMALL)
        try:
            c("SET", "k", "v")
            c("RPUSH", "l", "a", "b")
            c("MULTI")
            c("INCR", "n")
            c("HSET", "h", "f", "v")
            c("EXEC")
            c("BGREWRITEAOF")
            for _ in range(100):
                if c("INFO", "persistence").find(b"aof_rewrite_in_progress:0") >= 0:
                    break
                time.sleep(0.05)
            time.sleep(0.2)
            c("SELECT", 2)
            c("SET", "x", "1", "PX", "100000")
            c("SADD", "s", "a", "b")
            c("DEL", "x")
            adir = os.path.join(d, "appendonlydir")
            for f in sorted(os.listdir(adir)):
                write("aof", "redis_preamble_%s_%s" % (preamble, f),
                      open(os.path.join(adir, f), "rb").read())
        finally:
            p.terminate()
            p.wait()
            shutil.rmtree(d)


# -- hand-built older encodings (public format) ------------------------------------

def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def rdb_str(s):
    if isinstance(s, str):
        s = s.encode()
    return rdb_len(len(s)) + s


def ziplist(items):
    entries = []
    prev = 0
    for it in items:
        head = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
        if isinstance(it, int):
            if 0 <= it <= 12:
                enc = bytes([0xF1 + it])
            elif -128 <= it <= 127:
                enc = b"\xfe" + struct.pack("<b", it)
            elif -32768 <= it <= 32767:
                enc = b"\xc0" + struct.pack("<h", it)
            else:
                enc = b"\xe0" + struct.pack("<q", it)
        else:
            b = it.encode()
            enc = bytes([len(b)]) + b if len(b) < 64 else bytes([0x40 | (len(b) >> 8),
                                                                 len(b) & 0xFF]) + b
        e = head + enc
        entries.append(e)
        prev = len(e)
    body = b"".join(entries)
    tail = 10 + sum(len(e) for e in entries[:-1]) if entries else 10
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, tail, len(items)) + body + b"\xff"


def zipmap(pairs):
    out = bytes([len(pairs)])
    for k, v in pairs:
        out += bytes([len(k)]) + k.encode() + bytes([len(v)]) + b"\x00" + v.encode()
    return out + b"\xff"


def intset(values, width=2):
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    return struct.pack("<II", width, len(values)) + b"".join(struct.pack(fmt, v)
                                                             for v in sorted(values))


def old_values():
    """(name, type byte, value bytes) of encodings Redis 7.0 no longer writes."""
    return [
        ("list_ziplist", 10, rdb_str(ziplist(["a", 5, -300, "bb", 100000, 70000000000]))),
        ("list_quicklist1", 14, rdb_len(2) + rdb_str(ziplist(["a", "b"])) +
         rdb_str(ziplist([1, 2, 3]))),
        ("list_plain", 1, rdb_len(3) + rdb_str("x") + rdb_str("y") + rdb_str("12")),
        ("hash_zipmap", 9, rdb_str(zipmap([("f", "v"), ("name", "ada")]))),
        ("hash_ziplist", 13, rdb_str(ziplist(["f", "v", "n", 7]))),
        ("hash_plain", 4, rdb_len(2) + rdb_str("a") + rdb_str("1") + rdb_str("b") + rdb_str("2")),
        ("zset_ziplist", 12, rdb_str(ziplist(["a", 1, "b", "2.5", "c", "inf"]))),
        ("zset_text_scores", 3, rdb_len(3) + rdb_str("a") + b"\x031.5" + rdb_str("b") + b"\xfe" +
         rdb_str("c") + b"\xff"),
        ("zset_binary_scores", 5, rdb_len(2) + rdb_str("a") + struct.pack("<d", 1.25) +
         rdb_str("b") + struct.pack("<d", -7.0)),
        ("set_plain", 2, rdb_len(3) + rdb_str("a") + rdb_str("1") + rdb_str("b")),
        ("set_intset16", 11, rdb_str(intset([1, -2, 300]))),
        ("set_intset64", 11, rdb_str(intset([1, 5000000000], 8))),
        ("string_int", 0, b"\xc1" + struct.pack("<h", 1234)),
        ("string_lzf", 0, b"\xc3" + rdb_len(6) + rdb_len(12) + b"\x02abc\x60\x02"),
    ]


def dump_payload(type_byte, value, version=10):
    body = bytes([type_byte]) + value + struct.pack("<H", version)
    return body + struct.pack("<Q", crc64(body))


def old_rdb(version):
    body = b"REDIS%04d" % version
    body += b"\xfe\x00"  # SELECTDB 0
    if version >= 7:
        body += b"\xfa" + rdb_str("redis-ver") + rdb_str("2.8.0")
    body += b"\xfd" + struct.pack("<I", 2000000000)  # EXPIRETIME (seconds)
    body += b"\x00" + rdb_str("exp") + rdb_str("v")
    for name, t, value in old_values():
        body += bytes([t]) + rdb_str(name) + value
    body += b"\xfe\x01\x00" + rdb_str("db1") + rdb_str("one")
    body += b"\xff"
    if version >= 5:
        body += struct.pack("<Q", crc64(body))
    return body


def hand_built_corpora():
    for name, t, value in old_values():
        write("restore", "old_" + name, dump_payload(t, value))
    write("rdb", "old_v4.rdb", old_rdb(4))
    write("rdb", "old_v6.rdb", old_rdb(6))
    write("rdb", "old_v9.rdb", old_rdb(9))
    # A manifest with history files and quoted names, as Redis may write it.
    write("aof", "manifest_history",
          'file appendonly.aof.3.base.rdb seq 3 type b\n'
          'file appendonly.aof.2.base.aof seq 2 type h\n'
          'file appendonly.aof.4.incr.aof seq 4 type h\n'
          'file "append only.aof.5.incr.aof" seq 5 type i\n'
          'file appendonly.aof.6.incr.aof seq 6 type i\n')


def request_corpus():
    write("request_parser", "set_get", resp("SET", "key", "value") + resp("GET", "key"))
    write("request_parser", "pipeline",
          resp("MULTI") + resp("INCR", "n") + resp("LPUSH", "l", "a", "b") + resp("EXEC") +
          resp("HELLO", "3") + resp("PING"))
    write("request_parser", "binary", resp("SET", bytes(range(256)), "x\r\n$3\r\n*1"))
    write("request_parser", "inline", b'PING\r\nSET k "a b\\x41\\n" \'it\\\'s\'\r\n\r\nGET k\n')
    write("request_parser", "empty_multibulk", b"*0\r\n*-1\r\n" + resp("PING"))
    write("request_parser", "auth_then_big", resp("AUTH", "secret") +
          resp("SET", "k", "v" * 300) + resp("MSET", *["k%d" % i for i in range(24)]))
    write("request_parser", "errors", b"*1\r\n$3\r\nGET\r\n*2\r\n-3\r\n")
    write("request_parser", "bad_length", b"*1\r\n$-5\r\n")
    write("request_parser", "unbalanced", b'SET "a b\r\n')


def config_corpus():
    text = open("/etc/redis/redis.conf").read()
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    known = ["bind", "port", "tcp-backlog", "timeout", "tcp-keepalive", "daemonize", "pidfile",
             "loglevel", "logfile", "databases", "save", "stop-writes-on-bgsave-error",
             "rdbcompression", "rdbchecksum", "dbfilename", "dir", "appendonly",
             "appendfilename", "appenddirname", "appendfsync", "no-appendfsync-on-rewrite",
             "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size", "aof-load-truncated",
             "aof-use-rdb-preamble", "lazyfree-lazy-user-del", "lazyfree-lazy-expire",
             "lazyfree-lazy-server-del", "lazyfree-lazy-user-flush", "notify-keyspace-events",
             "hash-max-listpack-entries", "hash-max-listpack-value", "list-max-listpack-size",
             "list-compress-depth", "set-max-intset-entries", "zset-max-listpack-entries",
             "zset-max-listpack-value", "client-output-buffer-limit", "hz",
             "aof-rewrite-incremental-fsync", "rdb-save-incremental-fsync", "unixsocketperm",
             "maxclients", "proto-max-bulk-len", "client-query-buffer-limit", "requirepass"]
    mine = [l for l in lines if l.split()[0].lower() in known]
    write("config", "debian_redis_conf", "\n".join(mine) + "\n")
    write("config", "debian_redis_conf_all", "\n".join(lines[:40]) + "\n")
    write("config", "quotes_units",
          'requirepass "p\\x41ss word"\nlogfile \'/tmp/a b.log\'\nproto-max-bulk-len 1gb\n'
          'client-query-buffer-limit 512mb\nauto-aof-rewrite-min-size 64MB\n'
          'maxclients 1000\nhz 1000\nsave ""\nsave 900 1 300 10\nsave "60 10000"\n')
    write("config", "specials",
          'bind 127.0.0.1 -::1\nclient-output-buffer-limit replica 256mb 64mb 60\n'
          'client-output-buffer-limit "pubsub 32mb 8mb 60"\nnotify-keyspace-events KEA\n'
          'replicaof no one\nslaveof 127.0.0.1 6380\nunixsocketperm 700\n'
          'loglevel WARNING\nenable-protected-configs local\nhash-max-ziplist-entries 128\n')
    write("config", "includes",
          "include small.conf\nport 6390\ninclude loop.conf\ninclude missing.conf\n")


def glob_corpus():
    cases = [(0, "*", "anything"), (0, "h?llo", "hello"), (0, "h[ae]llo", "hallo"),
             (0, "h[^e]llo", "hbllo"), (0, "h[a-b]llo", "hbllo"), (0, "user:*:name", "user:42:name"),
             (1, "[A-Z]*", "config"), (0, "a*a*a*b", "a" * 12), (0, "\\*x", "*x"),
             (0, "[\\]]", "]"), (0, "[", "["), (0, "*[", "a"), (1, "MAX*", "maxclients"),
             (0, "*?*?*", "ab"), (0, "[a-]", "-")]
    for i, (flags, pat, text) in enumerate(cases):
        write("glob", "case_%02d" % i, bytes([flags, len(pat)]) + pat.encode() + text.encode())


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    request_corpus()
    config_corpus()
    glob_corpus()
    hand_built_corpora()
    real_server_corpora()
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(CORPUS) for f in fs)
    print("corpus: %d bytes" % total)


if __name__ == "__main__":
    sys.exit(main())
