#include "storage/keyspace/db_slice.hpp"

#include <utility>

namespace troupe {

void db_slice::track(kv_entry* e) {
  e->set_volatile_index(uint32_t(volatile_.size()));
  volatile_.push_back(e);
}

void db_slice::untrack(kv_entry* e) {
  uint32_t i = e->volatile_index();
  kv_entry* last = volatile_.back();
  volatile_[i] = last;
  last->set_volatile_index(i);
  volatile_.pop_back();
}

void db_slice::add(kv_entry* e, uint64_t hash) {
  e->set_snapshot_mark(parity);
  keys.insert(e, hash);
  if (e->has_expire()) track(e);
  if (slots_) slots_->add(e);
}

void db_slice::remove(dict::location loc) {
  destroy_entry(detach(loc));
}

kv_entry* db_slice::detach(dict::location loc) {
  kv_entry* e = keys.unlink(loc);
  if (e->has_expire()) untrack(e);
  if (slots_) slots_->remove(e);
  return e;
}

void db_slice::replace(dict::location loc, kv_entry* fresh) {
  kv_entry* old = *loc.link;
  fresh->next = old->next;
  fresh->set_snapshot_mark(parity);
  if (old->has_expire()) untrack(old);
  *loc.link = fresh;
  if (fresh->has_expire()) track(fresh);
  if (slots_) slots_->moved(old, fresh);
  destroy_entry(old);
}

void db_slice::moved(dict::location loc, kv_entry* now) {
  if (slots_) slots_->moved(*loc.link, now);
  dict::relink(loc, now);
  if (now->has_expire()) volatile_[now->volatile_index()] = now;
}

kv_entry* db_slice::set_expire(dict::location loc, int64_t when_ms) {
  kv_entry* e = *loc.link;
  if (!e->has_expire()) {
    kv_entry* was = e;
    e = set_expire_slot(e, true);
    dict::relink(loc, e);
    track(e);
    if (slots_) slots_->moved(was, e);
  }
  e->set_expire_at(when_ms);
  return e;
}

kv_entry* db_slice::persist(dict::location loc) {
  kv_entry* e = *loc.link;
  if (!e->has_expire()) return e;
  untrack(e);
  kv_entry* was = e;
  e = set_expire_slot(e, false);
  dict::relink(loc, e);
  if (slots_) slots_->moved(was, e);
  return e;
}

void db_slice::clear() {
  volatile_.clear();
  volatile_.shrink_to_fit();
  keys.clear();
  avg_ttl = 0;
  if (slots_) slots_->clear();
}

dict db_slice::release_all() {
  volatile_.clear();
  volatile_.shrink_to_fit();
  avg_ttl = 0;
  if (slots_) slots_->clear();
  dict taken(std::move(keys));
  keys = dict();
  return taken;
}

void db_slice::swap(db_slice& other) {
  std::swap(keys, other.keys);
  std::swap(volatile_, other.volatile_);
  std::swap(avg_ttl, other.avg_ttl);
  std::swap(parity, other.parity);
  // The index follows its keys; the objects stay where they are, so other
  // threads reading counts never see one freed.
  if (slots_ && other.slots_)
    slots_->swap(*other.slots_);
  else if (slots_ || other.slots_) {
    if (slots_) rebuild_slot_index();
    if (other.slots_) other.rebuild_slot_index();
  }
}

void db_slice::enable_slot_index(int shard, int shards) {
  slots_ = std::make_unique<slot_index>(shard, shards);
  rebuild_slot_index();
}

void db_slice::rebuild_slot_index() {
  slots_->clear();
  keys.for_each([this](kv_entry* e) { slots_->add(e); });
}

}  // namespace troupe
