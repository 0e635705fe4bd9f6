// SORT and SORT_RO: the elements of a list, set or sorted set, sorted by
// their value or by other keys (BY pattern, with hash fields as `key->field`;
// BY a pattern without `*` does not sort), with GET patterns (`#` is the
// element), LIMIT, ASC/DESC, ALPHA and STORE, as Redis 7.0's sortCommand does.
// BY and GET patterns name arbitrary keys, so SORT holds every shard.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "storage/acl/acl_registry.hpp"
#include "storage/commands/list_family.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/type_support.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {
namespace {

struct sort_item {
  std::string obj;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value compared
};

// The value a BY or GET pattern names for one element: `#` is the element;
// the first `*` is replaced by it; `key->field` reads a hash field. nullopt
// when the key (or field) is missing or of another type, or the pattern has
// no `*`. Patterns are C strings to Redis: they end at a NUL byte.
std::optional<std::string> lookup_pattern(exec_context& c, std::string_view pattern,
                                          std::string_view elem) {
  std::string_view cpat = as_c_string(pattern);
  if (cpat == "#") return std::string(elem);
  size_t star = cpat.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  size_t arrow = cpat.find("->", star + 1);
  bool field = arrow != std::string_view::npos && arrow + 2 < cpat.size();
  size_t fieldlen = field ? pattern.size() - arrow - 2 : 0;
  size_t postfix = pattern.size() - (star + 1) - (field ? fieldlen + 2 : 0);
  std::string key(pattern.substr(0, star));
  key.append(elem);
  key.append(pattern.substr(star + 1, postfix));
  kv_entry* e = c.lookup_read(c.key(key));
  if (e == nullptr) return std::nullopt;
  if (field) {
    if (e->type() != value_type::hash) return std::nullopt;
    std::string_view v;
    char buf[24];
    if (!hash_ref(e).get(pattern.substr(arrow + 2, fieldlen), v, buf)) return std::nullopt;
    return std::string(v);
  }
  if (e->type() != value_type::string) return std::nullopt;
  return std::string(e->str());
}

// Binary comparison (Redis's compareStringObjects).
int compare_binary(std::string_view a, std::string_view b) {
  int r = memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (r != 0) return r;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}
// strcoll in the C locale: strcmp of the C strings.
int compare_c(std::string_view a, std::string_view b) {
  return compare_binary(as_c_string(a), as_c_string(b));
}

// BY with a pattern and GET read keys that no argument names: Redis allows
// them only to a user who may read every key.
bool reads_every_key(exec_context& c) {
  const acl_user_slot* u = c.client.acl_user.get();
  return u == nullptr || u->unrestricted() || u->rules()->reads_every_key(c.cmd, c.argv);
}

void sort_generic(exec_context& c, bool readonly) {
  std::vector<std::string_view> gets;
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> sortby;
  size_t store_arg = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    size_t left = c.argc() - j - 1;
    if (c.arg_is(j, "asc")) {
      desc = false;
    } else if (c.arg_is(j, "desc")) {
      desc = true;
    } else if (c.arg_is(j, "alpha")) {
      alpha = true;
    } else if (c.arg_is(j, "limit") && left >= 2) {
      if (!c.int_arg(j + 1, limit_start) || !c.int_arg(j + 2, limit_count)) return;
      j += 2;
    } else if (!readonly && c.arg_is(j, "store") && left >= 1) {
      store_arg = j + 1;
      ++j;
    } else if (c.arg_is(j, "by") && left >= 1) {
      sortby = c.arg(j + 1);
      // A pattern without '*' names no key: "do not sort".
      if (as_c_string(*sortby).find('*') == std::string_view::npos)
        dontsort = true;
      else if (!reads_every_key(c))
        return c.out.error("ERR BY option of SORT denied due to insufficient ACL permissions.");
      ++j;
    } else if (c.arg_is(j, "get") && left >= 1) {
      if (!reads_every_key(c))
        return c.out.error("ERR GET option of SORT denied due to insufficient ACL permissions.");
      gets.push_back(c.arg(j + 1));
      ++j;
    } else {
      return c.syntax_error();
    }
  }

  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e && e->type() != value_type::set && e->type() != value_type::list &&
      e->type() != value_type::zset)
    return c.wrongtype();
  value_type type = e ? e->type() : value_type::list;
  // An unsorted set would come out in hash table order: stored results are
  // sorted (ALPHA) so that replicas and the AOF get the same list.
  if (dontsort && type == value_type::set && store_arg) {
    dontsort = false;
    alpha = true;
    sortby.reset();
  }

  int64_t len = 0;
  if (e) {
    if (type == value_type::list)
      len = int64_t(list_of(e)->size());
    else if (type == value_type::set)
      len = int64_t(set_ref(e).size());
    else
      len = int64_t(zset_ref(e).size());
  }
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), len);
  limit_count = std::min(std::max<int64_t>(limit_count, -1), len);
  int64_t end = limit_count < 0 ? len - 1 : start + limit_count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  std::vector<sort_item> items;
  if (e && dontsort && type != value_type::set) {
    // Lists and sorted sets keep their own order (reversed by DESC): only the
    // LIMIT range is read.
    if (end >= start) {
      if (type == value_type::list) {
        quicklist* q = list_of(e);
        quicklist::iter it = q->at(desc ? long(len - start - 1) : long(start));
        char buf[24];
        for (int64_t n = start; n <= end && it; ++n) {
          items.push_back({std::string(quicklist::get(it).view(buf)), 0, std::nullopt});
          desc ? q->prev(it) : q->next(it);
        }
      } else {
        zset_ref z(e);
        zpos p = z.at_rank(size_t(desc ? len - 1 - start : start));
        char buf[24];
        for (int64_t n = start; n <= end && p; ++n) {
          items.push_back({std::string(z.member(p, buf)), 0, std::nullopt});
          desc ? z.prev(p) : z.next(p);
        }
      }
      end -= start;
      start = 0;
    }
  } else if (e) {
    auto add = [&](std::string_view m) { items.push_back({std::string(m), 0, std::nullopt}); };
    if (type == value_type::list) {
      quicklist* q = list_of(e);
      char buf[24];
      for (quicklist::iter it = q->begin(); it; q->next(it)) add(quicklist::get(it).view(buf));
    } else if (type == value_type::set) {
      set_ref(e).for_each(add);
    } else {
      zset_ref(e).for_each([&](std::string_view m, double) { add(m); });
    }
  }

  if (!dontsort) {
    bool conversion_error = false;
    for (auto& it : items) {
      std::optional<std::string> byval;
      if (sortby) {
        byval = lookup_pattern(c, *sortby, it.obj);
        if (!byval) continue;  // a missing key sorts as 0 (or first with ALPHA)
      }
      if (alpha) {
        if (sortby) it.by = std::move(byval);
        continue;
      }
      const std::string& s = sortby ? *byval : it.obj;
      std::string cstr(as_c_string(s));
      char* eptr;
      errno = 0;
      it.score = strtod(cstr.c_str(), &eptr);
      if (*eptr != '\0' || errno == ERANGE || std::isnan(it.score)) conversion_error = true;
    }
    if (conversion_error)
      return c.out.error("ERR One or more scores can't be converted into double");
    bool by_pattern = sortby.has_value(), store = store_arg != 0;
    auto cmp = [&](const sort_item& a, const sort_item& b) {
      int r;
      if (!alpha) {
        r = a.score > b.score ? 1 : a.score < b.score ? -1 : compare_binary(a.obj, b.obj);
      } else if (by_pattern) {
        if (!a.by || !b.by)
          r = (!a.by && !b.by) ? 0 : !a.by ? -1 : 1;
        else
          r = store ? compare_binary(*a.by, *b.by) : compare_c(*a.by, *b.by);
      } else {
        r = store ? compare_binary(a.obj, b.obj) : compare_c(a.obj, b.obj);
      }
      return desc ? r > 0 : r < 0;
    };
    std::stable_sort(items.begin(), items.end(), cmp);
  }

  int64_t count = end - start + 1;
  if (count < 0) count = 0;
  size_t outputlen = size_t(count) * (gets.empty() ? 1 : gets.size());
  if (!store_arg) {
    c.out.array(outputlen);
    for (int64_t j = start; j <= end; ++j) {
      const std::string& obj = items[size_t(j)].obj;
      if (gets.empty()) c.out.bulk(obj);
      for (auto pattern : gets) {
        auto v = lookup_pattern(c, pattern, obj);
        if (v)
          c.out.bulk(*v);
        else
          c.out.null();
      }
    }
    return;
  }
  key_ref dst = c.key_at(store_arg);
  entry_holder holder;
  if (outputlen > 0) {
    holder.e = make_list_entry(dst.name, int(c.srv.config().list_max_listpack_size.get()), false);
    quicklist* q = list_of(holder.e);
    for (int64_t j = start; j <= end; ++j) {
      const std::string& obj = items[size_t(j)].obj;
      if (gets.empty()) q->push_back(obj);
      for (auto pattern : gets) q->push_back(lookup_pattern(c, pattern, obj).value_or(""));
    }
  }
  store_built_value(c, dst, holder, outputlen, notify_list, "sortstore");
}

void cmd_sort(exec_context& c) {
  sort_generic(c, false);
}
void cmd_sort_ro(exec_context& c) {
  sort_generic(c, true);
}

// SORT's keys as Redis finds them: the sorted key and the key of the last
// STORE, skipping the arguments of LIMIT, GET and BY.
bool sort_keys(const std::vector<std::string_view>& args, std::vector<int>& pos) {
  pos.push_back(1);
  int store = -1;
  for (size_t i = 2; i < args.size(); ++i) {
    if (iequals(args[i], "limit"))
      i += 2;
    else if (iequals(args[i], "get") || iequals(args[i], "by"))
      i += 1;
    else if (iequals(args[i], "store") && i + 1 < args.size())
      store = int(i + 1);
  }
  if (store >= 0) pos.push_back(store);
  return true;
}
bool sort_ro_keys(const std::vector<std::string_view>&, std::vector<int>& pos) {
  pos.push_back(1);
  return true;
}

const command_def sort_commands[] = {
    {"sort", -2, "write denyoom all_shards", 1, 1, 1, "@set @sortedset @list @dangerous -@keyspace",
     cmd_sort, "Sort the elements in a list, set or sorted set", "1.0.0",
     "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
     "number of returned elements. When the elements are not sorted, complexity is O(N).",
     "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] "
     "[STORE destination]",
     sort_keys},
    {"sort_ro", -2, "readonly all_shards", 1, 1, 1, "@set @sortedset @list @dangerous -@keyspace",
     cmd_sort_ro, "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
     "7.0.0",
     "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
     "number of returned elements. When the elements are not sorted, complexity is O(N).",
     "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]",
     sort_ro_keys},
};

}  // namespace

void register_sort_family(command_table& t) {
  t.add_all("generic", sort_commands);
}

}  // namespace troupe
