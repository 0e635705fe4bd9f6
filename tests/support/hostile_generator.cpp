#include "hostile_generator.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace troupe::test {
namespace {

std::string upper(std::string s) {
  for (auto& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}
std::string lower(std::string s) {
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Integers at and around every boundary a command might get wrong: 32- and
// 64-bit limits, one past them, and texts that are almost integers.
const std::vector<std::string> integers = {
    "0",
    "1",
    "-1",
    "2",
    "3",
    "10",
    "15",
    "16",
    "64",
    "100",
    "-100",
    "1000",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967296",
    "-4294967296",
    "9223372036854775807",
    "-9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "00",
    "01",
    "-0",
    "+1",
    " 1",
    "1 ",
    "0x10",
    "1.5",
    "1e3",
};

// Small numbers that make a command get past its checks and do something.
const std::vector<std::string> small_integers = {"0", "1", "2", "3", "5", "-1", "-2", "-3", "1"};

// Floats: nan and infinities in every spelling, out-of-range exponents,
// denormals, score-range and lex-range syntax.
const std::vector<std::string> floats = {
    "nan",    "-nan",  "NaN",    "inf",    "-inf",  "+inf",   "INF",
    "-Inf",   "1e400", "-1e400", "1e-400", "1e308", "-1e308", "1.7976931348623157e308",
    "5e-324", "0.0",   "-0.0",   "0.1",    "1.5",   "-1.5",   "1e10",
    "1e-10",  ".5",    "5.",     "1e",     "0x1p3", "1.5e",   "infinity",
    "(1",     "(-1",   "(inf",   "(-inf",  "(nan",  "(",      "[",
    "[a",     "(a",    "-",      "+",      "[1",    "1e-5",   "0.001",
};

std::vector<std::string> make_strings() {
  std::vector<std::string> s = {"",
                                std::string("\0", 1),
                                std::string("a\0b", 3),
                                "\r\n",
                                "a\r\nb",
                                "\r",
                                "\n",
                                "\xff\xfe\xfd",
                                "\x80",
                                "\xc3\xa9",
                                " ",
                                "  x  ",
                                "\"",
                                "'",
                                "\\",
                                "*",
                                "?",
                                "[",
                                "]",
                                "[a-",
                                "[^a]",
                                "%s%n%x",
                                "{",
                                "}",
                                "{a}",
                                "a b",
                                "-",
                                "+",
                                "#",
                                "$-1",
                                "*-1"};
  // Lengths at the thresholds of the compact encodings (listpack entry sizes,
  // hash-max-listpack-value 64, embstr 44) and past a 64 KiB request chunk.
  for (size_t n : {44, 45, 63, 64, 65, 255, 4096, 65536, 100000}) s.push_back(std::string(n, 'x'));
  return s;
}
const std::vector<std::string>& strings() {
  static const std::vector<std::string> s = make_strings();
  return s;
}

// Glob patterns, one of them pathological for a backtracking matcher (the
// fixture holds a key of 40 'a's for it to run against).
const std::vector<std::string> patterns = {"*",
                                           "?",
                                           "*a*",
                                           "[a-z]*",
                                           "[",
                                           "\\",
                                           "s:*",
                                           "*:*",
                                           "[^x]*",
                                           "\\*",
                                           "",
                                           "h*",
                                           "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
                                           "*[",
                                           "[]",
                                           "[z-a]*"};

// Option keywords of many commands, offered to every command out of place.
const std::vector<std::string> keywords = {
    "NX",         "XX",       "GT",       "LT",        "CH",    "INCR",         "WITHSCORES",
    "WITHVALUES", "BYSCORE",  "BYLEX",    "REV",       "LIMIT", "COUNT",        "MATCH",
    "TYPE",       "STORE",    "WEIGHTS",  "AGGREGATE", "SUM",   "MIN",          "MAX",
    "LEFT",       "RIGHT",    "BEFORE",   "AFTER",     "EX",    "PX",           "EXAT",
    "PXAT",       "KEEPTTL",  "GET",      "PERSIST",   "RANK",  "MAXLEN",       "REPLACE",
    "ABSTTL",     "IDLETIME", "FREQ",     "DB",        "ASYNC", "SYNC",         "BIT",
    "BYTE",       "AND",      "OR",       "XOR",       "NOT",   "ID",           "SKIPME",
    "yes",        "no",       "SCHEDULE", "ABORT",     "LEN",   "WITHMATCHLEN", "NOVALUES"};

const std::vector<std::string> unix_times = {"0",
                                             "1",
                                             "-1",
                                             "1700000000",
                                             "4102444800",
                                             "2147483648",
                                             "4294967296",
                                             "253402300800",
                                             "9223372036854775807",
                                             "-9223372036854775808",
                                             "9223372036854775",
                                             "9223372036854775808"};

std::string repeat_to(const std::string& unit, size_t n) {
  std::string s;
  while (s.size() < n) s += unit;
  return s;
}

std::vector<std::vector<std::string>> make_fixture() {
  std::vector<std::vector<std::string>> c = {
      {"SET", "s:int", "12345"},
      {"SET", "s:neg", "-42"},
      {"SET", "s:max", "9223372036854775807"},
      {"SET", "s:float", "3.25"},
      {"SET", "s:emb", "hello"},
      {"SET", "s:raw", std::string(100, 'r')},
      {"SET", "s:bits", std::string("\xff\x00\x0f\xf0", 4)},
      {"SET", "s:ttl", "long-lived", "EX", "1000000"},
      {"SET", std::string(40, 'a'), "for the pathological pattern"},
      {"RPUSH", "l:small", "a", "b", "c", "1", "2", "3", "a"},
      {"HSET", "h:small", "f1", "v1", "f2", "2", "n", "10", "fl", "1.5"},
      {"SADD", "st:int", "1", "2", "3", "-1", "10"},
      {"SADD", "st:str", "a", "b", "c", "d"},
      {"ZADD", "z:small", "1", "a", "2", "b", "3", "c", "-1", "d", "1.5", "x"},
      {"ZADD", "z:lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"},
  };
  // Big values, past every compact encoding's thresholds.
  std::vector<std::string> lbig = {"RPUSH", "l:big"}, hbig = {"HSET", "h:big"},
                           sbig = {"SADD", "st:big"}, zbig = {"ZADD", "z:big"};
  for (int i = 0; i < 300; ++i) {
    std::string m = "m:" + std::to_string(i);
    lbig.push_back(i % 50 == 0 ? repeat_to(m, 200) : m);
    if (i < 200) {
      hbig.insert(hbig.end(), {"f:" + std::to_string(i), std::to_string(i * 7)});
      sbig.push_back(m);
      // Scores rise with the members' lex order (ties in pairs), so lex ranges
      // on this skiplist are specified (see lex_order_unspecified).
      char z[8];
      snprintf(z, sizeof(z), "m:%03d", i);
      zbig.insert(zbig.end(), {std::to_string(i / 2) + ".5", z});
    }
  }
  c.insert(c.end(), {lbig, hbig, sbig, zbig});
  // Streams: a small one with a group, pending entries and consumers; a big
  // one over several nodes with deleted entries.
  c.push_back({"XADD", "x:small", "1-1", "f1", "v1", "f2", "2"});
  c.push_back({"XADD", "x:small", "1-2", "f1", "v2", "f2", "3"});
  c.push_back({"XADD", "x:small", "2-0", "n", "10"});
  c.push_back({"XGROUP", "CREATE", "x:small", "g1", "0"});
  c.push_back({"XGROUP", "CREATE", "x:small", "g2", "$"});
  c.push_back({"XREADGROUP", "GROUP", "g1", "c1", "COUNT", "2", "STREAMS", "x:small", ">"});
  c.push_back({"XGROUP", "CREATECONSUMER", "x:small", "g1", "c2"});
  for (int i = 1; i <= 300; ++i) {
    c.push_back({"XADD", "x:big", std::to_string(i) + "-0", "f:" + std::to_string(i % 3),
                 std::to_string(i)});
  }
  c.push_back({"XDEL", "x:big", "5-0", "150-0"});
  // A second database, for SELECT, MOVE, COPY and SWAPDB.
  c.push_back({"SELECT", "1"});
  c.push_back({"SET", "s:int", "1"});
  c.push_back({"RPUSH", "l:small", "x", "y"});
  c.push_back({"SELECT", "0"});
  return c;
}

}  // namespace

const std::vector<std::vector<std::string>>& hostile_fixture::commands() {
  static const auto c = make_fixture();
  return c;
}

const std::vector<std::string>& hostile_fixture::keys() {
  static const std::vector<std::string> k = {"s:int",
                                             "s:neg",
                                             "s:max",
                                             "s:float",
                                             "s:emb",
                                             "s:raw",
                                             "s:bits",
                                             "s:ttl",
                                             "l:small",
                                             "l:big",
                                             "h:small",
                                             "h:big",
                                             "st:int",
                                             "st:str",
                                             "st:big",
                                             "z:small",
                                             "z:big",
                                             "z:lex",
                                             "x:small",
                                             "x:big",
                                             "nokey",
                                             "nokey2",
                                             std::string(40, 'a')};
  return k;
}

const std::vector<std::string>& hostile_fixture::members() {
  static const std::vector<std::string> m = {
      "a",     "b",   "c",        "d",     "x",     "1",     "2",  "3",  "-1", "10",
      "1.5",   "m:0", "m:1",      "m:199", "m:200", "f1",    "f2", "n",  "fl", "f:0",
      "f:199", "v1",  "nomember", "1-1",   "2-0",   "150-0", "g1", "c1", "$",  ">"};
  return m;
}

hostile_generator::hostile_generator(const std::vector<fuzz_command>& catalog,
                                     std::vector<std::string> directives,
                                     std::vector<std::string> payloads)
    : catalog_(catalog), directives_(std::move(directives)), payloads_(std::move(payloads)) {}

const fuzz_command& hostile_generator::pick_command() {
  return catalog_[below(catalog_.size())];
}

std::string hostile_generator::token_variant(const std::string& token) {
  double p = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (p < 0.8) return token;
  if (p < 0.9) return lower(token);
  return token + "x";  // almost the keyword
}

std::string hostile_generator::key() {
  if (!keys_used_.empty() && chance(0.3)) return one_of(keys_used_);  // repeated keys
  // Half the time a key of the command's own type, so it gets past WRONGTYPE.
  static const std::vector<std::pair<std::string, std::string>> prefixes = {
      {"string", "s:"}, {"bitmap", "s:"},     {"list", "l:"},  {"hash", "h:"},
      {"set", "st:"},   {"sorted-set", "z:"}, {"stream", "x:"}};
  std::vector<std::string> typed;
  for (auto& [group, prefix] : prefixes)
    if (group == group_)
      for (auto& k : hostile_fixture::keys())
        if (k.rfind(prefix, 0) == 0) typed.push_back(k);
  std::string k = !typed.empty() && chance(0.5) ? one_of(typed)
                  : chance(0.92)                ? one_of(hostile_fixture::keys())
                                                : one_of(strings());
  keys_used_.push_back(k);
  return k;
}

std::string hostile_generator::any_value() {
  double p = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (p < 0.35) return one_of(integers);
  if (p < 0.55) return one_of(floats);
  if (p < 0.75) return one_of(strings());
  if (p < 0.85) return one_of(hostile_fixture::members());
  if (p < 0.92) return key();
  return one_of(keywords);
}

std::string hostile_generator::value_for(const doc_arg& a, const fuzz_command& cmd) {
  if (chance(0.1)) return any_value();
  const std::string& t = a.type;
  if (t == "key") return key();
  if (t == "integer") {
    double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    return p < 0.35 ? one_of(small_integers) : p < 0.9 ? one_of(integers) : one_of(floats);
  }
  if (t == "double") {
    double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    return p < 0.2 ? one_of(small_integers) : p < 0.8 ? one_of(floats) : one_of(integers);
  }
  if (t == "unix-time") return chance(0.7) ? one_of(unix_times) : one_of(integers);
  if (t == "pattern") return chance(0.8) ? one_of(patterns) : one_of(strings());
  // Strings: ranges of sorted sets, DUMP payloads, client ids and addresses
  // are strings in the docs; give each the values that mean something there.
  if (a.name == "min" || a.name == "max" || a.name == "start" || a.name == "stop") {
    static const std::vector<std::string> lex = {"-", "+", "[a", "(a",   "[c",   "(b",
                                                 "[", "(", "a",  "[m:1", "(\xff"};
    double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (cmd.name.find("lex") != std::string::npos && p < 0.7) return one_of(lex);
    return p < 0.3    ? one_of(lex)
           : p < 0.45 ? one_of(small_integers)
           : p < 0.75 ? one_of(floats)
                      : one_of(integers);
  }
  if (a.name == "serialized-value" && !payloads_.empty() && chance(0.8)) {
    std::string p = one_of(payloads_);
    if (chance(0.3)) p[below(p.size())] ^= char(1 + below(255));  // corrupted
    if (chance(0.1)) p.resize(below(p.size()));                   // truncated
    return p;
  }
  if ((cmd.name == "client|kill" || cmd.name == "client|unblock" || cmd.name == "client|list") &&
      chance(0.3)) {
    if (a.name.find("id") != std::string::npos) return own_id_placeholder;
    if (a.name == "ip:port") return own_addr_placeholder;
  }
  double p = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (p < 0.1) return one_of(keywords);  // free-text options, such as BITOP's operation
  if (p < 0.45) return one_of(hostile_fixture::members());
  if (p < 0.7) return one_of(strings());
  if (p < 0.85) return one_of(integers);
  return one_of(floats);
}

void hostile_generator::one_arg(const doc_arg& a, const fuzz_command& cmd, segment& out) {
  size_t reps = 1;
  if (a.multiple) reps = chance(0.05) ? 8 + below(8) : 1 + below(3);
  for (size_t i = 0; i < reps; ++i) {
    if (!a.token.empty() && (i == 0 || a.multiple_token)) out.push_back(token_variant(a.token));
    if (a.type == "pure-token") {
      if (a.token.empty()) out.push_back(token_variant(upper(a.name)));
    } else if (a.type == "oneof") {
      if (!a.children.empty()) one_arg(one_of(a.children), cmd, out);
    } else if (a.type == "block") {
      grammar(a.children, cmd, out);
    } else {
      out.push_back(value_for(a, cmd));
    }
  }
}

void hostile_generator::grammar(const std::vector<doc_arg>& args, const fuzz_command& cmd,
                                segment& out) {
  // A numkeys argument counts the keys that follow it: often state the true
  // count, so the command gets past its parser and into its logic.
  constexpr size_t none = size_t(-1);
  size_t numkeys_at = none;
  for (const doc_arg& a : args) {
    if (a.optional && chance(0.5)) continue;
    size_t before = out.size();
    one_arg(a, cmd, out);
    if (a.name == "numkeys" && out.size() == before + 1) {
      numkeys_at = before;
    } else if (numkeys_at != none && a.type == "key") {
      if (chance(0.6)) out[numkeys_at] = std::to_string(out.size() - before);
      numkeys_at = none;
    }
  }
}

hostile_generator::segment hostile_generator::soup(const fuzz_command& cmd) {
  int fixed = std::abs(cmd.arity) - int(cmd.words.size());
  int n = std::max(0, fixed);
  if (cmd.arity < 0) n += int(below(6));
  if (chance(0.1)) n += chance(0.5) ? 1 : -1;
  segment out;
  for (int i = 0; i < n; ++i) {
    double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.25 && !cmd.tokens.empty())
      out.push_back(token_variant(one_of(cmd.tokens)));
    else if (p < 0.5)
      out.push_back(key());
    else
      out.push_back(any_value());
  }
  return out;
}

void hostile_generator::mutate(segment& args, const fuzz_command& cmd) {
  size_t ops = 1 + below(2);
  for (size_t i = 0; i < ops; ++i) {
    size_t at = below(args.size() + 1);
    switch (below(5)) {
      case 0:
        if (at < args.size()) args[at] = any_value();
        break;
      case 1:
        args.insert(args.begin() + long(at),
                    cmd.tokens.empty() ? one_of(keywords) : token_variant(one_of(cmd.tokens)));
        break;
      case 2:
        if (at < args.size()) args.erase(args.begin() + long(at));
        break;
      case 3:
        if (at < args.size()) args.insert(args.begin() + long(at), args[at]);
        break;
      default:
        args.insert(args.begin() + long(at), one_of(keywords));
        break;
    }
  }
}

hostile_generator::segment hostile_generator::config_set() {
  static const std::vector<std::string> values = {
      "yes",       "no",    "0",       "1",      "-1",      "100",      "1mb",    "512mb", "1gb",
      "2gb",       "-1mb",  "0.5",     "1k",     "10000",   "everysec", "always", "KEA",   "Ex",
      "$lshzxeKE", "debug", "verbose", "notice", "warning", "nothing",  "3600 1", "-5",    "-2"};
  segment out;
  size_t pairs = 1 + below(3);
  for (size_t i = 0; i < pairs; ++i) {
    out.push_back(chance(0.92) && !directives_.empty() ? one_of(directives_) : any_value());
    out.push_back(chance(0.5) ? one_of(values) : any_value());
  }
  if (chance(0.05)) out.pop_back();  // an odd number of arguments
  return out;
}

hostile_generator::segment hostile_generator::command_about_command(const fuzz_command& cmd) {
  segment out;
  const fuzz_command& other = pick_command();
  if (cmd.name == "command|getkeys" && chance(0.8)) {
    std::vector<std::string> inner = arguments(other);
    return inner;
  }
  size_t n = 1 + below(3);
  for (size_t i = 0; i < n; ++i) {
    const fuzz_command& o = pick_command();
    out.push_back(chance(0.8) ? o.name : any_value());
  }
  return out;
}

std::vector<std::string> hostile_generator::arguments(const fuzz_command& cmd) {
  keys_used_.clear();
  group_ = cmd.group;
  segment args;
  if (cmd.name == "config|set" && chance(0.8)) {
    args = config_set();
  } else if ((cmd.name == "command|getkeys" || cmd.name == "command|info" ||
              cmd.name == "command|docs") &&
             chance(0.7)) {
    args = command_about_command(cmd);
  } else if (cmd.has_subcommands) {
    // The container alone: unknown, misspelt and missing subcommands.
    if (chance(0.5)) args.push_back(any_value());
    if (chance(0.5)) args.push_back(any_value());
  } else if (chance(0.7)) {
    grammar(cmd.args, cmd, args);
    if (chance(0.35)) mutate(args, cmd);
  } else {
    args = soup(cmd);
  }
  std::vector<std::string> full = cmd.words;
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

namespace {

// Redis's string2ld: what it accepts as a long double (timeouts).
std::optional<long double> redis_long_double(const std::string& s) {
  if (s.empty() || s.size() >= 5 * 1024 || std::isspace(static_cast<unsigned char>(s[0])))
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long double v = strtold(s.c_str(), &end);
  if (size_t(end - s.c_str()) != s.size()) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  if (errno == EINVAL || std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> redis_int(const std::string& s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = strtoll(s.c_str(), &end, 10);
  if (errno || size_t(end - s.c_str()) != s.size() ||
      std::isspace(static_cast<unsigned char>(s[0])))
    return std::nullopt;
  return v;
}

// Redis's memtoull: digits and an optional unit (b, k, kb, m, mb, g, gb);
// nullopt when it would reject the text, UINT64_MAX when it overflows.
std::optional<uint64_t> redis_memory(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return std::nullopt;
  std::string unit = s.substr(i);
  for (auto& ch : unit) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  uint64_t mul = unit == "" || unit == "b" ? 1
                 : unit == "k"             ? 1000
                 : unit == "kb"            ? 1024
                 : unit == "m"             ? 1000 * 1000
                 : unit == "mb"            ? 1024 * 1024
                 : unit == "g"             ? 1000ull * 1000 * 1000
                 : unit == "gb"            ? 1024ull * 1024 * 1024
                                           : 0;
  if (mul == 0) return std::nullopt;
  uint64_t v = 0;
  for (size_t j = 0; j < i; ++j) {
    if (v > (UINT64_MAX - 9) / 10) return UINT64_MAX;
    v = v * 10 + uint64_t(s[j] - '0');
  }
  return v > UINT64_MAX / mul ? UINT64_MAX : v * mul;
}

}  // namespace

void keep_reference_alive(std::vector<std::string>& args, const fuzz_command& cmd) {
  size_t words = cmd.words.size();
  if (cmd.has_flag("blocking") && args.size() > words) {
    // A timeout of 0 (or one that rounds up to a long wait) would block the
    // test's connection: give it a tiny one. Timeouts Redis rejects stay.
    size_t at = (cmd.name == "blmpop" || cmd.name == "bzmpop") ? words : args.size() - 1;
    if (auto v = redis_long_double(args[at])) {
      long double ms = *v * 1000.0L;
      if (!(ms > static_cast<long double>(INT64_MAX)) && std::ceil(ms) >= 0 &&
          (std::ceil(ms) == 0 || ms > 50))
        args[at] = "0.01";
    }
  }
  // XREAD/XREADGROUP take their timeout after BLOCK, in milliseconds.
  if (cmd.name == "xread" || cmd.name == "xreadgroup") {
    for (size_t i = words; i + 1 < args.size(); ++i) {
      if (lower(args[i]) != "block") continue;
      if (auto v = redis_int(args[i + 1]); v && *v >= 0 && (*v == 0 || *v > 50)) args[i + 1] = "10";
    }
  }
  // SRANDMEMBER/HRANDFIELD/ZRANDMEMBER with a huge negative count make
  // redis-server 7.0 build a reply of that many elements until the kernel
  // kills it. Troupe's answer to those is tested on its own (sets_test etc.).
  if ((cmd.name == "srandmember" || cmd.name == "hrandfield" || cmd.name == "zrandmember") &&
      args.size() >= 3) {
    if (auto v = redis_int(args[2]); v && *v < -100000 && *v != INT64_MIN) {
      bool with = args.size() == 4;
      if (!(with && *v < -(INT64_MAX / 2))) args[2] = "-25";
    }
  }
  // COMMAND GETKEYS of a command with a numkeys argument: redis-server 7.0
  // allocates that many key slots before it checks them against the
  // arguments, so COMMAND GETKEYS ZMPOP 2147483647 ... makes it abort on 16 GB.
  if (cmd.name == "command|getkeys" && args.size() > 3) {
    static const std::vector<std::pair<std::string, size_t>> numkeys_at = {
        {"zunion", 1},      {"zinter", 1},     {"zdiff", 1},  {"sintercard", 1},
        {"zintercard", 1},  {"lmpop", 1},      {"zmpop", 1},  {"zunionstore", 2},
        {"zinterstore", 2}, {"zdiffstore", 2}, {"blmpop", 2}, {"bzmpop", 2}};
    std::string inner = lower(args[2]);
    for (auto& [name, at] : numkeys_at)
      if (name == inner && args.size() > 2 + at)
        if (auto v = redis_int(args[2 + at]); v && int32_t(uint32_t(uint64_t(*v))) > 100000)
          args[2 + at] = "100000";
  }
  // Raising these lets redis-server build strings and requests of gigabytes
  // (SETRANGE, SETBIT, APPEND); values up to the default stay fuzzed.
  if (cmd.name == "config|set")
    for (size_t i = words; i + 1 < args.size(); i += 2) {
      std::string d = lower(args[i]);
      if (d != "proto-max-bulk-len" && d != "client-query-buffer-limit") continue;
      if (auto v = redis_memory(args[i + 1]); v && *v > 512ull * 1024 * 1024) args[i + 1] = "1mb";
    }
}

}  // namespace troupe::test
