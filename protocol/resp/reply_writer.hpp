// Writes replies in RESP2 or RESP3 into a connection's output buffer. Each method
// is the protocol-version-aware equivalent of one of Redis's addReply* helpers.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe {

class reply_writer {
 public:
  explicit reply_writer(std::string& out) : out_(&out) {}

  int resp() const { return resp_; }
  void set_resp(int v) { resp_ = v; }
  std::string& buffer() { return *out_; }
  void retarget(std::string& out) { out_ = &out; }

  void simple(std::string_view s);
  void ok() { out_->append("+OK\r\n", 5); }
  // `msg` includes its code, e.g. "ERR syntax error" or "WRONGTYPE ...".
  void error(std::string_view msg);
  void integer(int64_t v) { prefixed_int(':', v); }
  void bulk(std::string_view s);
  void bulk_int(int64_t v);  // an integer sent as a bulk string
  void null();               // nil bulk: $-1 (RESP2), _ (RESP3)
  void null_array();         // nil multi-bulk: *-1 (RESP2), _ (RESP3)
  void array(size_t n) { prefixed_int('*', int64_t(n)); }
  void map(size_t n);   // pairs; RESP2 sends a flat array of 2n
  void set(size_t n);   // RESP3 set; RESP2 array
  void push(size_t n);  // RESP3 push; RESP2 array (pub/sub messages)
  void dbl(double v);   // RESP3 double; RESP2 bulk string
  void boolean(bool v);
  void verbatim(std::string_view text);  // RESP3 verbatim "txt"; RESP2 bulk
  void empty_array() { out_->append("*0\r\n", 4); }
  void raw(std::string_view s) { out_->append(s); }

  // A reply whose element count is known only after writing the elements.
  size_t begin_deferred() { return out_->size(); }
  void end_deferred_array(size_t mark, size_t n) { insert_header(mark, '*', n); }
  void end_deferred_map(size_t mark, size_t n);
  void end_deferred_set(size_t mark, size_t n);

  // Counters of error replies written: the dispatcher compares them around a
  // command to count failed calls and errorstats.
  uint64_t errors_written() const { return errors_; }
  std::string_view last_error_code() const { return last_error_code_; }

 private:
  void prefixed_int(char prefix, int64_t v);
  void insert_header(size_t mark, char prefix, size_t n);

  std::string* out_;
  int resp_ = 2;
  uint64_t errors_ = 0;
  std::string_view last_error_code_;
  std::string last_error_code_store_;
};

}  // namespace troupe
