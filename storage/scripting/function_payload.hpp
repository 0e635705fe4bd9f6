// FUNCTION DUMP / RESTORE payloads in Redis 7.0's format (each library as a
// FUNCTION2 opcode and its code, then the DUMP footer: RDB version and
// CRC64), and installing a library's code into a set of libraries with
// Redis's rules and errors (FUNCTION LOAD, RESTORE, RDB and AOF loading).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "storage/scripting/script_store.hpp"

namespace troupe {

class script_engine;

enum class restore_policy { append, replace, flush };

std::string make_function_payload(const library_set& libs);
// The libraries' codes in a payload; false with the error reply.
bool read_function_payload(std::string_view payload, bool skip_checksum,
                           std::vector<std::string>& codes, std::string& err);

// The library name in a code's "#!lua name=..." line; false with the error.
bool library_header_name(std::string_view code, std::string& name, std::string& err);

// Loads `code` (running it in `engine` to learn its functions) into `libs`:
// a library of the same name is an error unless `replace`, a function name
// another library has is an error. The loaded library goes to *out if given.
// (FUNCTION RESTORE words the existing-library error without quotes:
// `restoring`.)
bool install_library_code(script_engine& engine, std::string_view code, bool replace,
                          library_set& libs, function_library* out, std::string& err,
                          bool restoring = false);

// The same, for loading a dataset (RDB): a scratch engine of this thread
// runs the code.
bool install_library_code(std::string_view code, bool replace, library_set& libs, std::string& err);

}  // namespace troupe
