// The row types most directives use: integers (plain, memory amounts, octal),
// yes/no, enumerations, strings and argument lists. Each parses with Redis 7.0's
// rules and error texts and prints as CONFIG GET and CONFIG REWRITE do.
#pragma once
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/config/config_row.hpp"

namespace troupe {

// Redis's yes/no parsing (any case).
std::optional<bool> parse_yes_no(std::string_view s);
// A memory amount as CONFIG REWRITE writes it: 2gb, 3mb, 4kb, or bytes.
std::string format_memory(int64_t bytes);

class int_row : public value_row<int64_t> {
 public:
  int_row(config_table& t, std::string name, int64_t def, int64_t min, int64_t max,
          std::string comment, row_options o = {})
      : value_row(t, std::move(name), def, std::move(comment), std::move(o)),
        min_(min),
        max_(max) {}

  int64_t min() const { return min_; }
  int64_t max() const { return max_; }
  // Redis takes some values as a hint: within [min, max] but outside [lo, hi]
  // they are brought into [lo, hi] instead of refused (hz: 1..500).
  int_row& clamp_to(int64_t lo, int64_t hi) {
    clamp_lo_ = lo;
    clamp_hi_ = hi;
    return *this;
  }

  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override { return std::to_string(get()); }

 protected:
  // Parses one number; nullopt with `why` set on failure.
  virtual std::optional<int64_t> parse(const std::string& s, std::string& why) const;

 private:
  int64_t min_, max_;
  int64_t clamp_lo_ = INT64_MIN, clamp_hi_ = INT64_MAX;
};

// A number of bytes: accepts units (1k = 1000, 1kb = 1024, m, mb, g, gb), shows
// bytes in CONFIG GET and units in CONFIG REWRITE, as Redis does.
class memory_row : public int_row {
 public:
  using int_row::int_row;
  std::vector<std::string> lines() const override;

 protected:
  std::optional<int64_t> parse(const std::string& s, std::string& why) const override;
};

// A number of bytes or a percentage ("10%" of maxmemory: maxmemory-clients),
// kept as Redis keeps it: a percentage as its negative.
class memory_or_percent_row : public int_row {
 public:
  memory_or_percent_row(config_table& t, std::string name, int64_t def, std::string comment,
                        row_options o = {})
      : int_row(t, std::move(name), def, -100, INT64_MAX, std::move(comment), std::move(o)) {}
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;
  std::vector<std::string> lines() const override;
  // Bytes, given the amount a percentage is of.
  int64_t bytes_of(int64_t whole) const {
    int64_t v = get();
    return v >= 0 ? v : int64_t(double(whole) * double(-v) / 100.0);
  }

 protected:
  std::optional<int64_t> parse(const std::string& s, std::string& why) const override;
};

// An octal number such as unixsocketperm (700 means rwx------).
class octal_row : public value_row<int64_t> {
 public:
  octal_row(config_table& t, std::string name, int64_t def, int64_t max, std::string comment,
            row_options o = {})
      : value_row(t, std::move(name), def, std::move(comment), std::move(o)), max_(max) {}
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;

 private:
  int64_t max_;
};

class bool_row : public value_row<bool> {
 public:
  bool_row(config_table& t, std::string name, bool def, std::string comment, row_options o = {})
      : value_row(t, std::move(name), def, std::move(comment), std::move(o)) {}
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override { return get() ? "yes" : "no"; }
};

// The names of an enumeration, in the order Redis lists them in its error text.
template <class E>
using enum_choices = std::vector<std::pair<std::string, E>>;

std::string enum_choices_error(const std::vector<std::string>& names);

template <class E>
class enum_row : public value_row<E> {
 public:
  enum_row(config_table& t, std::string name, E def, enum_choices<E> choices, std::string comment,
           row_options o = {})
      : value_row<E>(t, std::move(name), def, std::move(comment), std::move(o)),
        choices_(std::move(choices)) {}

  config_error stage(const std::vector<std::string>& args, bool) override {
    if (args.size() != 1) return "wrong number of arguments";
    std::string l = args[0];
    for (auto& c : l) c = char(tolower(static_cast<unsigned char>(c)));
    for (auto& [n, v] : choices_)
      if (n == l) {
        this->staged_ = v;
        return std::nullopt;
      }
    std::vector<std::string> names;
    for (auto& [n, v] : choices_) names.push_back(n);
    return enum_choices_error(names);
  }
  std::string text() const override { return name_of(this->get()); }
  const std::string& name_of(E v) const {
    for (auto& [n, e] : choices_)
      if (e == v) return n;
    return choices_.front().first;
  }

 private:
  enum_choices<E> choices_;
};

// A string; an optional check refuses bad values with its error text.
class string_row : public snapshot_row<std::string> {
 public:
  using check = std::function<config_error(const std::string&)>;
  string_row(config_table& t, std::string name, std::string def, std::string comment,
             row_options o = {}, check c = {})
      : snapshot_row(t, std::move(name), def, std::move(comment), std::move(o)),
        check_(std::move(c)),
        empty_(def.empty()) {}

  // Lock-free: whether the value is empty (requirepass on every command).
  bool empty() const { return empty_.load(std::memory_order_relaxed); }
  // A copy of the current value.
  std::string str() const { return *get(); }

  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override { return *get(); }
  std::vector<std::string> lines() const override;

 private:
  void stored(const std::string& v) override { empty_.store(v.empty(), std::memory_order_relaxed); }
  check check_;
  std::atomic<bool> empty_;
};

// Several string arguments (bind). CONFIG GET joins them with spaces, quoting an
// argument that needs it so that the text splits back into the same arguments.
class args_row : public snapshot_row<std::vector<std::string>> {
 public:
  using check = std::function<config_error(const std::vector<std::string>&)>;
  args_row(config_table& t, std::string name, std::vector<std::string> def, std::string comment,
           row_options o = {}, check c = {})
      : snapshot_row(t, std::move(name), std::move(def), std::move(comment), std::move(o)),
        check_(std::move(c)) {}

  bool multi_arg() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;
  std::vector<std::string> lines() const override;

 private:
  check check_;
};

// Arguments joined by spaces, each quoted if it needs to be.
std::string join_quoted(const std::vector<std::string>& args);

}  // namespace troupe
