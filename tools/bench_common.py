"""Shared parts of Troupe's benchmark scripts (tools/bench-compare,
tools/bench-persistence): process bookkeeping, a minimal RESP client, starting
redis-server and troupe-server with equivalent settings, the release build and
report helpers. Only the Python standard library is used."""

import datetime
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# Process bookkeeping: everything started here is stopped on the way out.

_children = []
_temp_dirs = []


def _cleanup():
    for proc in list(_children):
        if proc.poll() is None:
            proc.terminate()
    deadline = time.time() + 5
    for proc in list(_children):
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _children.clear()
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)
    _temp_dirs.clear()


def _on_signal(signum, _frame):
    sys.stderr.write(f"\nbenchmark: signal {signum}, stopping the servers\n")
    _cleanup()
    sys.exit(128 + signum)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# A minimal RESP client for set-up and checks (not for the measurements).

class Resp:
    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ConnectionError(f"unexpected reply {line!r}")

    def call(self, *args):
        self.sock.sendall(self.encode(*args))
        return self.reply()

    def pipeline(self, payload, count):
        """Sends pre-encoded requests, reads `count` replies; returns the error count."""
        self.sock.sendall(payload)
        errors = 0
        for _ in range(count):
            if isinstance(self.reply(), RuntimeError):
                errors += 1
        return errors


# ---------------------------------------------------------------------------
# Servers.

class Server:
    def __init__(self, name, argv_base, port, workdir):
        self.name = name
        self.port = port
        self.workdir = workdir
        self.log = os.path.join(workdir, "server.log")
        self.argv = argv_base
        self.proc = None

    def start(self):
        out = open(os.path.join(self.workdir, "stdout.log"), "w")
        self.proc = subprocess.Popen(self.argv, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _children.append(self.proc)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up; see {self.workdir}")
            try:
                c = Resp(self.port, timeout=2)
                pong = c.call("PING")
                c.close()
                # A server started with requirepass is up all the same.
                ok = pong == "PONG" or str(pong).startswith("NOAUTH")
                if ok:
                    return self
            except (OSError, ConnectionError):
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not answer PING on port {self.port}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc in _children:
            _children.remove(self.proc)
        self.proc = None

    def cpu_seconds(self):
        """utime + stime of the whole process (all threads)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
        return float("nan")

    def process_tree(self):
        """The server's pid and those of its children (Redis's fork for BGSAVE)."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
        return pids

    def memory_mb(self):
        """(RSS of the server, RSS summed over its process tree, PSS summed over
        the tree). PSS shares each page among the processes mapping it, so the
        sum is the physical memory of server plus fork: what a fork costs."""
        rss = pss = 0
        for pid in self.process_tree():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    for line in f:
                        if line.startswith("Rss:"):
                            rss += int(line.split()[1])
                        elif line.startswith("Pss:"):
                            pss += int(line.split()[1])
            except OSError:
                pass
        return self.rss_mb(), rss / 1024.0, pss / 1024.0

    def call(self, *args):
        c = Resp(self.port)
        try:
            return c.call(*args)
        finally:
            c.close()


def _workdir(prefix, workdir):
    if workdir:
        return workdir
    d = tempfile.mkdtemp(prefix=prefix)
    _temp_dirs.append(d)
    return d


def make_redis(args, workdir=None, extra=()):
    """redis-server on a free port; `workdir` reuses a directory (say, to load its
    dump), `extra` arguments come last and so win."""
    d = _workdir("bench-redis-", workdir)
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
            "--logfile", os.path.join(d, "server.log"), "--daemonize", "no"]
    if not args.persistence:
        argv += ["--save", "", "--appendonly", "no"]
    argv += args.redis_arg + list(extra)
    return Server("redis-server", argv, port, d)


def troupe_directives(server_bin):
    try:
        out = subprocess.run([server_bin, "--default-config"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {line.split()[0] for line in out.splitlines() if line and not line.startswith("#")}


def make_troupe(args, server_bin, workdir=None, extra=()):
    """troupe-server with the settings make_redis gives redis-server."""
    d = _workdir("bench-troupe-", workdir)
    port = free_port()
    argv = [server_bin, "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
            "--logfile", os.path.join(d, "server.log")]
    # The same persistence settings as Redis, where Troupe knows the directive.
    known = troupe_directives(server_bin)
    if not args.persistence:
        if "save" in known:
            argv += ["--save", ""]
        if "appendonly" in known:
            argv += ["--appendonly", "no"]
    argv += args.troupe_arg + list(extra)
    return Server("troupe-server", argv, port, d)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def version_of(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain"], capture_output=True,
                               text=True, timeout=30).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_commands(server, count, build, batch=10000):
    """Sends build(0) .. build(count - 1), each one encoded request, pipelined in
    batches; returns the number of error replies."""
    c = Resp(server.port, timeout=300)
    errors = 0
    try:
        for start in range(0, count, batch):
            end = min(count, start + batch)
            errors += c.pipeline(b"".join(build(i) for i in range(start, end)), end - start)
    finally:
        c.close()
    return errors


def load_keys(server, count, value_size):
    """SET key:000000000000.. with distinct value_size-byte values, pipelined;
    returns the number of error replies."""
    return load_commands(server, count, lambda i: b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n"
                         % (i, value_size, str(i).zfill(value_size).encode()[-value_size:]))


def parse_csv(text):
    """Last data row of --csv output: (rps, p99)."""
    rows = [line for line in text.splitlines() if line.startswith('"') and not line.startswith('"test"')]
    if not rows:
        return None
    cols = [c.strip('"') for c in rows[-1].split('","')]
    try:
        return float(cols[1]), float(cols[6])
    except (IndexError, ValueError):
        return None


def build_release(build_dir, script):
    """Configures and builds troupe-server and troupe-benchmark in release mode."""
    print(f"building Troupe (Release) in {build_dir} ...", file=sys.stderr, flush=True)
    for cmd in (["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                 "-DTROUPE_TESTS=OFF",
                 # GCC 12 at -O3 reports false -Wrestrict warnings in std::string code;
                 # a benchmark build must not fail on them.
                 "-DTROUPE_WERROR=OFF"],
                ["cmake", "--build", build_dir, "-j2", "--target", "troupe-server",
                 "troupe-benchmark"]):
        if subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode != 0:
            sys.exit(f"{script}: build failed: " + " ".join(cmd))


def install_signal_handlers():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


def machine_lines(server_bin):
    return [f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
            f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, Linux {platform.release()}",
            f"- redis-server: {version_of(['redis-server', '--version'])}",
            f"- troupe-server: {version_of([server_bin, '--version'])} (git {git_rev()})"]
