// Small helpers shared by the RDB value decoders (rdb_value.cpp,
// rdb_stream.cpp): failing a load, owning a listpack being built, viewing a
// blob as bytes.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "storage/encodings/listpack.hpp"
#include "storage/rdb/rdb_reader.hpp"

namespace troupe::rdb_decode {

[[noreturn]] inline void fail(const std::string& why) {
  throw rdb_format_error(why);
}

struct lp_deleter {
  void operator()(unsigned char* p) const { lp::destroy(p); }
};
using lp_ptr = std::unique_ptr<unsigned char, lp_deleter>;

inline const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace troupe::rdb_decode
