#include "tools/benchmark/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace troupe::bench {

namespace {

template <class T>
bool parse_number(const std::string& s, T& out) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// redis://[[user][:password]@]host[:port][/db]; returns an error or "".
std::string parse_uri(const std::string& uri, options& o) {
  const std::string scheme = "redis://";
  if (uri.rfind("rediss://", 0) == 0) return "TLS (rediss://) is not supported";
  if (uri.rfind(scheme, 0) != 0) return "Invalid URI scheme in \"" + uri + "\"";
  std::string rest = uri.substr(scheme.size());
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = cred.find(':'); colon != std::string::npos) {
      if (colon > 0) o.user = cred.substr(0, colon);
      o.password = cred.substr(colon + 1);
    } else if (!cred.empty()) {
      o.user = cred;
    }
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && !parse_number(db, o.dbnum)) return "Invalid database in \"" + uri + "\"";
  }
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    if (!parse_number(rest.substr(colon + 1), o.port)) return "Invalid port in \"" + uri + "\"";
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) o.host = rest;
  return "";
}

}  // namespace

parse_result parse_options(const std::vector<std::string>& args) {
  parse_result r;
  options& o = r.opts;
  size_t i = 0;
  auto fail = [&](const std::string& msg) {
    r.error = msg;
    return r;
  };
  auto invalid = [&](const std::string& opt) {
    return fail("Invalid option \"" + opt + "\" or option argument missing");
  };

  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    // Takes the option's argument, or reports it missing.
    auto value = [&](std::string& out) {
      if (!has_value) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    auto bad_value = [&]() { return fail("Invalid value \"" + v + "\" for option " + a); };
    auto int_value = [&](auto& out) -> bool {
      if (!value(v)) return false;
      return parse_number(v, out);
    };

    if (a == "--") {
      ++i;
      break;
    } else if (a == "-h") {
      if (!value(o.host)) return invalid(a);
    } else if (a == "-p") {
      if (!int_value(o.port)) return v.empty() ? invalid(a) : bad_value();
      if (o.port < 0 || o.port > 65535) return bad_value();
    } else if (a == "-s") {
      if (!value(o.socket_path)) return invalid(a);
    } else if (a == "-a") {
      if (!value(v)) return invalid(a);
      o.password = v;
    } else if (a == "--user") {
      if (!value(v)) return invalid(a);
      o.user = v;
    } else if (a == "-u") {
      if (!value(v)) return invalid(a);
      if (auto err = parse_uri(v, o); !err.empty()) return fail(err);
    } else if (a == "-c") {
      if (!int_value(o.clients)) return v.empty() ? invalid(a) : bad_value();
      if (o.clients < 1) return bad_value();
    } else if (a == "-n") {
      if (!int_value(o.requests)) return v.empty() ? invalid(a) : bad_value();
      if (o.requests < 1) return bad_value();
    } else if (a == "-d") {
      if (!int_value(o.data_size)) return v.empty() ? invalid(a) : bad_value();
      // As redis-benchmark: at least one byte, at most 1 GB.
      o.data_size = std::clamp(o.data_size, 1, 1024 * 1024 * 1024);
    } else if (a == "--dbnum") {
      if (!int_value(o.dbnum)) return v.empty() ? invalid(a) : bad_value();
    } else if (a == "-3") {
      o.resp3 = true;
    } else if (a == "--threads") {
      if (!int_value(o.threads)) return v.empty() ? invalid(a) : bad_value();
      if (o.threads > 500) {
        r.warnings.push_back("WARNING: Too many threads, limiting threads to 500.");
        o.threads = 500;
      }
      if (o.threads < 0) o.threads = 0;
    } else if (a == "-k") {
      int k = 1;
      if (!int_value(k)) return v.empty() ? invalid(a) : bad_value();
      o.keep_alive = k != 0;
    } else if (a == "-r") {
      if (!int_value(o.keyspace)) return v.empty() ? invalid(a) : bad_value();
      o.random_keys = true;
      if (o.keyspace < 0) o.keyspace = 0;
    } else if (a == "-P") {
      if (!int_value(o.pipeline)) return v.empty() ? invalid(a) : bad_value();
      if (o.pipeline < 1) o.pipeline = 1;
    } else if (a == "-q") {
      o.quiet = true;
    } else if (a == "--csv") {
      o.csv = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "-l") {
      o.loop = true;
    } else if (a == "-I") {
      o.idle = true;
    } else if (a == "-x") {
      o.stdin_arg = true;
    } else if (a == "-e") {
      o.show_errors = true;
    } else if (a == "-t") {
      if (!value(v)) return invalid(a);
      o.tests = lower(v);
    } else if (a == "--precision") {
      if (!int_value(o.precision)) return v.empty() ? invalid(a) : bad_value();
      // As redis-benchmark: negative means the default; at most 4 digits.
      if (o.precision < 0) o.precision = 3;
      o.precision = std::clamp(o.precision, 1, 4);
    } else if (a == "--seed") {
      uint64_t seed = 0;
      if (!int_value(seed)) return v.empty() ? invalid(a) : bad_value();
      o.seed = seed;
    } else if (a == "--zipf") {
      if (!value(v)) return invalid(a);
      if (!parse_double(v, o.zipf) || o.zipf <= 0) return bad_value();
    } else if (a == "--ratio") {
      if (!value(v)) return invalid(a);
      auto colon = v.find(':');
      int set_w = 0, get_w = 0;
      if (colon == std::string::npos || !parse_number(v.substr(0, colon), set_w) ||
          !parse_number(v.substr(colon + 1), get_w) || set_w < 0 || get_w < 0 ||
          set_w + get_w == 0) {
        return fail("Invalid value \"" + v + "\" for option --ratio (expected SET:GET, e.g. 1:10)");
      }
      o.ratio = {set_w, get_w};
    } else if (a == "--duration") {
      if (!value(v)) return invalid(a);
      if (!parse_double(v, o.duration) || o.duration <= 0) return bad_value();
    } else if (a == "--help") {
      o.help = true;
      return r;
    } else if (a == "--version" || a == "-v") {
      o.version = true;
      return r;
    } else if (a == "--enable-tracking") {
      o.enable_tracking = true;
    } else if (a == "--cluster" || a == "--tls" || a == "--sni" || a == "--cacert" ||
               a == "--cacertdir" || a == "--insecure" || a == "--cert" || a == "--key" ||
               a == "--tls-ciphers" || a == "--tls-ciphersuites") {
      return fail("Option \"" + a + "\" is not supported by troupe-benchmark");
    } else if (!a.empty() && a[0] == '-') {
      return invalid(a);
    } else {
      break;  // the custom command starts here
    }
  }
  o.command.assign(args.begin() + std::ptrdiff_t(i), args.end());

  if (o.user && !o.password) return fail("--user needs -a <password>");
  if (o.zipf > 0 && !o.random_keys) return fail("--zipf needs -r <keyspacelen>");
  if (o.ratio && !o.command.empty()) {
    return fail("--ratio runs a SET/GET mix and cannot be combined with a custom command");
  }
  if (o.stdin_arg && o.command.empty()) return fail("-x needs a custom command");
  if (!o.command.empty() && o.tests) r.warnings.push_back("WARNING: Option -t is ignored.");
  if (o.ratio && o.tests) r.warnings.push_back("WARNING: Option -t is ignored with --ratio.");
  if (!o.keep_alive) {
    r.warnings.push_back(
        "WARNING: Keepalive disabled. You probably need "
        "'echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse' for Linux in order to use a lot of "
        "clients/requests");
  }
  return r;
}

bool test_selected(const options& o, const std::string& name) {
  if (!o.tests) return true;
  const std::string& list = *o.tests;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (list.compare(start, end - start, name) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::string usage_text() {
  return R"(Usage: troupe-benchmark [OPTIONS] [--] [COMMAND ARGS...]

Options:
 -h <hostname>      Server hostname (default 127.0.0.1)
 -p <port>          Server port (default 6379)
 -s <socket>        Server socket (overrides host and port)
 -a <password>      Password for Redis Auth
 --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
 -u <uri>           Server URI on format redis://user:password@host:port/dbnum
 -c <clients>       Number of parallel connections (default 50)
 -n <requests>      Total number of requests (default 100000)
 -d <size>          Data size of SET/GET value in bytes (default 3)
 --dbnum <db>       SELECT the specified db number (default 0)
 -3                 Start session in RESP3 protocol mode.
 --threads <num>    Run the clients on <num> event-loop threads.
 --enable-tracking  Send CLIENT TRACKING on before starting benchmark.
 -k <boolean>       1=keep alive 0=reconnect (default 1)
 -r <keyspacelen>   Use random keys for SET/GET/INCR, random values for SADD,
                    random members and scores for ZADD.
                    Using this option the benchmark will expand the string
                    __rand_int__ inside an argument with a 12 digits number in
                    the specified range from 0 to keyspacelen-1. The
                    substitution changes every time a command is executed.
                    Note: If -r is omitted, all commands in a benchmark will
                    use the same key.
 -P <numreq>        Pipeline <numreq> requests. Default 1 (no pipeline).
 -q                 Quiet. Just show query/sec values
 --precision <d>    Significant digits of the latency histogram, 1 to 4 (default 3)
 --csv              Output in CSV format
 --json             Output in JSON format (with p50, p90, p99, p99.9 and errors)
 -l                 Loop. Run the tests forever
 -t <tests>         Only run the comma separated list of tests. The test
                    names are the same as the ones produced as output.
                    The -t option is ignored if a specific command is supplied
                    on the command line.
 -I                 Idle mode. Just open N idle connections and wait.
 -x                 Read last argument from STDIN.
 -e                 Print error replies as they arrive (at most one per second).
                    Error replies are always counted and reported.
 --seed <num>       Seed of the random generator (default: time based).

Troupe extensions:
 --zipf <s>         Zipf-skewed __rand_int__ over the -r range with exponent <s>
                    (e.g. 0.99); number 0 is the hottest key.
 --ratio <S:G>      Mixed workload of SET and GET in the ratio S:G (e.g. 1:10)
                    on key:__rand_int__, instead of the tests.
 --duration <sec>   Run each test for <sec> seconds instead of -n requests.
 --help             Output this help and exit.
 --version          Output version and exit.

In a custom command, __rand_int__ is replaced as with -r and __data__ by a
value of -d bytes.

Examples:

 Run the benchmark with the default configuration against 127.0.0.1:6379:
   $ troupe-benchmark

 Use 20 parallel clients, for a total of 100k requests, against 192.168.1.1:
   $ troupe-benchmark -h 192.168.1.1 -p 6379 -n 100000 -c 20

 Fill 127.0.0.1:6379 with about 1 million keys only using the SET test:
   $ troupe-benchmark -t set -n 1000000 -r 100000000

 Benchmark a few commands producing CSV output:
   $ troupe-benchmark -t ping,set,get -n 100000 --csv

 Benchmark a specific command line:
   $ troupe-benchmark -n 100000 -r 1000 -- SET key:__rand_int__ __data__

 A read-heavy mix on Zipf-skewed keys for 30 seconds, as JSON:
   $ troupe-benchmark --ratio 1:10 -r 1000000 --zipf 0.99 --duration 30 --json
)";
}

}  // namespace troupe::bench
