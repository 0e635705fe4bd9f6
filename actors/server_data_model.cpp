// Live effects of the data model directives: commands read the thresholds of
// the compact encodings from server_services::settings on every call.
#include <string>

#include "actors/server.hpp"

namespace troupe {

void server::attach_data_model_hooks() {
  auto size_setting = [this](const char* name, std::atomic<int64_t>& target) {
    cfg_.set_apply(name, [&target](const std::string& v) -> std::optional<std::string> {
      target = std::stoll(v);
      return std::nullopt;
    });
  };
  auto int_setting = [this](const char* name, std::atomic<int>& target) {
    cfg_.set_apply(name, [&target](const std::string& v) -> std::optional<std::string> {
      target = std::stoi(v);
      return std::nullopt;
    });
  };
  size_setting("hash-max-listpack-entries", settings.hash_max_listpack_entries);
  size_setting("hash-max-listpack-value", settings.hash_max_listpack_value);
  size_setting("set-max-intset-entries", settings.set_max_intset_entries);
  size_setting("zset-max-listpack-entries", settings.zset_max_listpack_entries);
  size_setting("zset-max-listpack-value", settings.zset_max_listpack_value);
  int_setting("list-max-listpack-size", settings.list_max_listpack_size);
  int_setting("list-compress-depth", settings.list_compress_depth);
}

}  // namespace troupe
