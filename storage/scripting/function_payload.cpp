#include "storage/scripting/function_payload.hpp"

#include "storage/encodings/crc64.hpp"
#include "storage/rdb/rdb_dump.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_format.hpp"
#include "storage/rdb/rdb_reader.hpp"
#include "storage/rdb/rdb_source.hpp"
#include "storage/scripting/script_engine.hpp"

namespace troupe {

std::string make_function_payload(const library_set& libs) {
  std::string p;
  rdb_encoder enc(p, true);
  for (auto& [name, lib] : libs) enc.function(lib.code);
  p.push_back(static_cast<char>(rdb::version & 0xff));
  p.push_back(static_cast<char>(rdb::version >> 8));
  enc.trailer(crc64(0, p.data(), p.size()));
  return p;
}

bool read_function_payload(std::string_view payload, bool skip_checksum,
                           std::vector<std::string>& codes, std::string& err) {
  if (!verify_dump_payload(payload, skip_checksum)) {
    err = "ERR DUMP payload version or checksum are wrong";
    return false;
  }
  std::string_view body = payload.substr(0, payload.size() - 10);
  rdb_memory_source src(body);
  rdb_reader r(src);
  try {
    while (r.offset() < body.size()) {
      uint8_t op = r.byte();
      if (op != rdb::op_function2) {
        err = "ERR given type is not a function";
        return false;
      }
      std::string code;
      r.string(code);
      codes.push_back(std::move(code));
    }
  } catch (const rdb_format_error&) {
    err = "ERR payload is not a valid function payload";
    return false;
  }
  return true;
}

bool install_library_code(script_engine& engine, std::string_view code, bool replace,
                          library_set& libs, function_library* out, std::string& err,
                          bool restoring) {
  std::string name;
  if (!library_header_name(code, name, err)) return false;
  if (!replace && libs.count(name)) {
    err = restoring ? "ERR Library " + name + " already exists"
                    : "ERR Library '" + name + "' already exists";
    return false;
  }
  function_library lib;
  if (!engine.inspect_library(code, lib, err)) return false;
  for (auto& [other_name, other] : libs) {
    if (other_name == name) continue;
    for (auto& f : other.functions)
      for (auto& g : lib.functions)
        if (f.name == g.name) {
          err = "ERR Function " + g.name + " already exists";
          return false;
        }
  }
  if (out != nullptr) *out = lib;
  libs[name] = std::move(lib);
  return true;
}

bool install_library_code(std::string_view code, bool replace, library_set& libs,
                          std::string& err) {
  thread_local std::unique_ptr<script_engine> scratch;
  if (!scratch) scratch = std::make_unique<script_engine>(nullptr);
  return install_library_code(*scratch, code, replace, libs, nullptr, err, true);
}

}  // namespace troupe
