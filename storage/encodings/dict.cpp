#include "storage/encodings/dict.hpp"

#include <utility>

namespace troupe {

dict::~dict() {
  clear();
}

dict::dict(dict&& o) noexcept {
  table_.swap(o.table_);
}

dict& dict::operator=(dict&& o) noexcept {
  if (this != &o) {
    clear();
    table_.swap(o.table_);
  }
  return *this;
}

kv_entry* dict::random_entry(std::mt19937_64& rng) {
  if (size() == 0) return nullptr;
  table_.step();
  return table_.random(rng);
}

uint64_t dict::scan(uint64_t cursor, const std::function<void(kv_entry*)>& visit) {
  return table_.scan(cursor, visit);
}

void dict::for_each(const std::function<void(kv_entry*)>& visit) const {
  table_.for_each(visit);
}

kv_entry* dict::release_all() {
  kv_entry* chain = nullptr;
  table_.drain([&](kv_entry* e) {
    e->next = chain;
    chain = e;
  });
  return chain;
}

void dict::clear() {
  table_.clear(destroy_entry);
}

}  // namespace troupe
