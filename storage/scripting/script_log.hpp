// Where redis.log() writes: the server's log, which actors/ provides (storage/
// has no logger). Levels are Redis's: 0 debug, 1 verbose, 2 notice, 3 warning.
#pragma once
#include <string_view>

namespace troupe {

using script_log_sink = void (*)(int level, std::string_view message);

void set_script_log_sink(script_log_sink sink);
void script_log(int level, std::string_view message);

}  // namespace troupe
