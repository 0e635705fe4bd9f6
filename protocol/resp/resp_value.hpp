// A parsed RESP2/RESP3 reply, and an incremental parser for replies. Used by
// Troupe's own clients: tests, troupe-benchmark, and later replication links,
// sentinels and the proxy.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct resp_value {
  enum class kind {
    simple,    // +
    error,     // -
    integer,   // :
    bulk,      // $
    array,     // *
    nil,       // $-1, *-1, _
    map,       // % (elements hold key, value, key, value...)
    set,       // ~
    push,      // >
    dbl,       // ,
    boolean,   // #
    verbatim,  // = (str holds the text after "txt:")
    bignum,    // (
  };
  kind type = kind::nil;
  std::string str;      // simple, error, bulk, dbl, verbatim, bignum
  int64_t integer = 0;  // integer, boolean
  std::vector<resp_value> elements;

  bool is_error() const { return type == kind::error; }
  bool is_nil() const { return type == kind::nil; }
  bool is_aggregate() const {
    return type == kind::array || type == kind::map || type == kind::set || type == kind::push;
  }
  // A compact human form, e.g. for test failure messages: ["OK", 1, nil]
  std::string to_string() const;
};

class reply_parser {
 public:
  enum class result { value, incomplete, error };
  // Replies come from peers (a master, a Sentinel's instances, a MIGRATE
  // target): what they claim is bounded before anything is allocated for it.
  static constexpr size_t max_line = 64 * 1024;             // Redis's inline limit
  static constexpr int64_t max_bulk = 512LL * 1024 * 1024;  // proto-max-bulk-len's default
  static constexpr int64_t max_elements = 2147483647;       // INT_MAX, as Redis's parser
  // Parses one reply from buf[pos..len); on `value`, pos is advanced.
  result parse(const char* buf, size_t len, size_t& pos, resp_value& out);
  const std::string& error() const { return error_; }

 private:
  result parse_one(const char* buf, size_t len, size_t& pos, resp_value& out, int depth);
  std::string error_;
};

// Encodes a command as a RESP multi-bulk request.
std::string encode_command(const std::vector<std::string>& args);
void append_command(std::string& out, const std::vector<std::string_view>& args);

}  // namespace troupe
