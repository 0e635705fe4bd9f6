#include "protocol/resp/reply_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "protocol/text/numbers.hpp"

namespace troupe {

void reply_writer::prefixed_int(char prefix, int64_t v) {
  char buf[32];
  buf[0] = prefix;
  auto r = std::to_chars(buf + 1, buf + 30, v);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  out_->append(buf, size_t(r.ptr + 2 - buf));
}

void reply_writer::simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void reply_writer::error(std::string_view msg) {
  ++errors_;
  size_t sp = msg.find(' ');
  last_error_code_store_.assign(msg.substr(0, sp == std::string_view::npos ? msg.size() : sp));
  last_error_code_ = last_error_code_store_;
  out_->push_back('-');
  // Error messages must stay on one line. As Redis does with the errors it
  // formats: CR and LF at either end (an argument printed last) are trimmed,
  // and the ones inside become spaces.
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.remove_prefix(1);
  size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i)
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  out_->append("\r\n", 2);
}

void reply_writer::bulk(std::string_view s) {
  prefixed_int('$', int64_t(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void reply_writer::bulk_int(int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  bulk(std::string_view(buf, size_t(r.ptr - buf)));
}

void reply_writer::null() {
  if (resp_ == 3)
    out_->append("_\r\n", 3);
  else
    out_->append("$-1\r\n", 5);
}

void reply_writer::null_array() {
  if (resp_ == 3)
    out_->append("_\r\n", 3);
  else
    out_->append("*-1\r\n", 5);
}

void reply_writer::map(size_t n) {
  if (resp_ == 3)
    prefixed_int('%', int64_t(n));
  else
    prefixed_int('*', int64_t(2 * n));
}

void reply_writer::set(size_t n) {
  prefixed_int(resp_ == 3 ? '~' : '*', int64_t(n));
}

void reply_writer::push(size_t n) {
  prefixed_int(resp_ == 3 ? '>' : '*', int64_t(n));
}

void reply_writer::dbl(double v) {
  if (resp_ == 3) {
    out_->push_back(',');
    if (std::isinf(v))
      out_->append(v > 0 ? "inf" : "-inf");
    else
      out_->append(double_to_string(v));
    out_->append("\r\n", 2);
  } else {
    bulk(double_to_string(v));
  }
}

void reply_writer::boolean(bool v) {
  if (resp_ == 3)
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  else
    out_->append(v ? ":1\r\n" : ":0\r\n", 4);
}

void reply_writer::verbatim(std::string_view text) {
  if (resp_ == 3) {
    prefixed_int('=', int64_t(text.size() + 4));
    out_->append("txt:", 4);
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    bulk(text);
  }
}

void reply_writer::insert_header(size_t mark, char prefix, size_t n) {
  char buf[32];
  buf[0] = prefix;
  auto r = std::to_chars(buf + 1, buf + 30, n);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  out_->insert(mark, buf, size_t(r.ptr + 2 - buf));
}

void reply_writer::end_deferred_map(size_t mark, size_t n) {
  if (resp_ == 3)
    insert_header(mark, '%', n);
  else
    insert_header(mark, '*', 2 * n);
}

void reply_writer::end_deferred_set(size_t mark, size_t n) {
  insert_header(mark, resp_ == 3 ? '~' : '*', n);
}

}  // namespace troupe
