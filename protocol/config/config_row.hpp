// One configuration directive: a row that owns its current value, its default,
// how its arguments parse and how its value prints, whether CONFIG SET may change
// it, its comment for default.conf and its apply hook (the live effect of a
// change). config_table enumerates rows for CONFIG GET/SET/REWRITE, redis.conf
// loading and default.conf; code reads a row's typed value directly.
//
// Reading never takes a lock, from any thread:
// - numbers, booleans and enumerations live in a std::atomic (value_row);
// - strings and compound values are immutable snapshots behind a
//   std::atomic<std::shared_ptr<const T>> (snapshot_row): a writer builds the new
//   value aside and swaps the pointer, a reader takes a reference to whichever
//   snapshot is current and keeps it alive as long as it looks at it. Those values
//   are read rarely (AUTH, file names when a save starts), so the reference count
//   is cheap; facts a hot path needs (is requirepass set? are there save points?)
//   are kept in a plain atomic beside the snapshot.
//
// Changes go through the table, which holds a writer lock: stage() parses the
// arguments aside, commit() makes the staged value current, restore() brings back
// the value kept by keep(). A reader may see a value of a CONFIG SET that is then
// rolled back: there is no lock for readers to wait on.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

class config_table;

// An error text (Redis's, without the "CONFIG SET failed" prefix), or nothing.
using config_error = std::optional<std::string>;

// What a row declares besides its value. Written as `row_alias("slaveof") |
// row_immutable()` in the row declarations.
struct row_options {
  std::vector<std::string> aliases;  // other names (pre-7.0 "ziplist" ones, slaveof)
  bool immutable = false;            // CONFIG SET refuses it
  bool protected_config = false;     // CONFIG SET needs enable-protected-configs
  bool volatile_value = false;       // CONFIG SET runs the hook even when the value is the same
  bool file_only = false;            // only in files: CONFIG GET/SET do not know it (user)
  bool hidden = false;               // CONFIG GET answers it by name only, never for a glob
  std::string sample;                // default.conf shows this value instead of the default
};

inline row_options row_immutable() {
  row_options o;
  o.immutable = true;
  return o;
}
inline row_options row_protected() {
  row_options o;
  o.protected_config = true;
  return o;
}
// A value that stands for something outside (a certificate file): setting it
// again to the same text reloads it.
inline row_options row_volatile() {
  row_options o;
  o.volatile_value = true;
  return o;
}
inline row_options row_file_only() {
  row_options o;
  o.file_only = true;
  return o;
}
// Redis's testing aids (key-load-delay...): not listed by CONFIG GET *.
inline row_options row_hidden() {
  row_options o;
  o.hidden = true;
  return o;
}
inline row_options row_alias(std::string name) {
  row_options o;
  o.aliases.push_back(std::move(name));
  return o;
}
inline row_options row_sample(std::string value) {
  row_options o;
  o.sample = std::move(value);
  return o;
}
inline row_options operator|(row_options a, const row_options& b) {
  a.aliases.insert(a.aliases.end(), b.aliases.begin(), b.aliases.end());
  a.immutable = a.immutable || b.immutable;
  a.protected_config = a.protected_config || b.protected_config;
  a.volatile_value = a.volatile_value || b.volatile_value;
  a.file_only = a.file_only || b.file_only;
  a.hidden = a.hidden || b.hidden;
  if (!b.sample.empty()) a.sample = b.sample;
  return a;
}

class config_row {
 public:
  config_row(config_table& table, std::string name, std::string comment, row_options opts);
  virtual ~config_row() = default;
  config_row(const config_row&) = delete;
  config_row& operator=(const config_row&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& aliases() const { return opts_.aliases; }
  bool immutable() const { return opts_.immutable; }
  bool protected_config() const { return opts_.protected_config; }
  bool volatile_value() const { return opts_.volatile_value; }
  bool file_only() const { return opts_.file_only; }
  bool hidden() const { return opts_.hidden; }
  const std::string& comment() const { return comment_; }
  const std::string& sample() const { return opts_.sample; }
  // Position in the table (declaration order).
  size_t index() const { return index_; }

  // Takes several arguments (`save 900 1`, `bind a b`): one quoted argument is
  // split into them, as Redis does for `--save "900 1"` and CONFIG SET.
  virtual bool multi_arg() const { return false; }
  // Lines of one file add up (`save`): the first replaces the default.
  virtual bool accumulates() const { return false; }

  // -- changes (the table calls these under its writer lock) --------------------
  // Parses the arguments of one occurrence into the staged value; `add` asks an
  // accumulating row to add them to its current value.
  virtual config_error stage(const std::vector<std::string>& args, bool add) = 0;
  // Makes the staged value current; false if that changed nothing.
  virtual bool commit() = 0;
  // Remembers the current value for restore().
  virtual void keep() = 0;
  virtual void restore() = 0;
  // Runs the apply hook (if any) with the current value.
  virtual config_error apply() = 0;
  virtual bool has_hook() const = 0;

  // -- text ------------------------------------------------------------------------
  // The value as CONFIG GET shows it.
  virtual std::string text() const = 0;
  virtual bool at_default() const = 0;
  // The lines CONFIG REWRITE and default.conf write (none: the line is left out).
  virtual std::vector<std::string> lines() const;

 private:
  friend class config_table;
  std::string name_, comment_;
  row_options opts_;
  size_t index_ = 0;
};

// A row whose value fits a lock-free atomic: integers, booleans, enumerations.
template <class T>
class value_row : public config_row {
  static_assert(std::atomic<T>::is_always_lock_free);

 public:
  // The live effect of a change: runs once at start-up and after CONFIG SET set
  // every value it names; an error text makes CONFIG SET restore them all.
  using hook = std::function<config_error(T)>;

  T get() const { return value_.load(std::memory_order_relaxed); }
  T default_value() const { return default_; }
  void on_apply(hook h) { hook_ = std::move(h); }
  // Sets the value without a hook (start-up decisions).
  void set_internal(T v) { value_.store(v, std::memory_order_relaxed); }

  bool commit() override {
    T before = get();
    set_internal(staged_);
    return !(before == staged_);
  }
  void keep() override { backup_ = get(); }
  void restore() override { set_internal(backup_); }
  config_error apply() override { return hook_ ? hook_(get()) : std::nullopt; }
  bool has_hook() const override { return bool(hook_); }
  bool at_default() const override { return get() == default_; }

 protected:
  value_row(config_table& t, std::string name, T def, std::string comment, row_options o)
      : config_row(t, std::move(name), std::move(comment), std::move(o)),
        value_(def),
        default_(def),
        staged_(def),
        backup_(def) {}

 private:
  std::atomic<T> value_;
  T default_;

 protected:
  T staged_;

 private:
  T backup_;
  hook hook_;
};

// A row whose value is a string or a compound value: an immutable snapshot.
template <class T>
class snapshot_row : public config_row {
 public:
  using hook = std::function<config_error(const T&)>;

  // The current value; the snapshot stays valid as long as the pointer is held.
  std::shared_ptr<const T> get() const { return value_.load(std::memory_order_acquire); }
  const T& default_value() const { return *default_; }
  void on_apply(hook h) { hook_ = std::move(h); }
  void set_internal(T v) { store(std::make_shared<const T>(std::move(v))); }

  bool commit() override {
    auto before = get();
    store(staged_);
    return !(*before == *staged_);
  }
  void keep() override { backup_ = get(); }
  void restore() override {
    if (backup_) store(backup_);
  }
  config_error apply() override { return hook_ ? hook_(*get()) : std::nullopt; }
  bool has_hook() const override { return bool(hook_); }
  bool at_default() const override { return *get() == *default_; }

 protected:
  snapshot_row(config_table& t, std::string name, T def, std::string comment, row_options o)
      : config_row(t, std::move(name), std::move(comment), std::move(o)),
        default_(std::make_shared<const T>(std::move(def))),
        staged_(default_) {
    value_.store(default_);
  }
  void stage_value(T v) { staged_ = std::make_shared<const T>(std::move(v)); }
  // Called with every value that becomes current, before readers can see it:
  // where a row keeps the lock-free facts derived from it.
  virtual void stored(const T&) {}

 private:
  void store(std::shared_ptr<const T> v) {
    stored(*v);
    value_.store(std::move(v), std::memory_order_release);
  }

  std::atomic<std::shared_ptr<const T>> value_;
  std::shared_ptr<const T> default_, staged_, backup_;
  hook hook_;
};

}  // namespace troupe
