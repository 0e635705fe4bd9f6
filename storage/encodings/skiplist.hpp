// The big sorted set: a skiplist ordered by (score, member) with rank spans, whose
// nodes are also the nodes of a member -> node hash table. One allocation per
// member holds the hash link, the score, the backward link, the levels and the
// member bytes:
//
//   hash next (8) | score (8) | backward (8) | level count (1)
//   | level * (forward (8), span (4)) | member length (varint) | member
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>

#include "storage/encodings/str_table.hpp"

namespace troupe {

struct zs_node {
  zs_node* hnext;
  double score;
  zs_node* backward;
  uint8_t levels;
  // variable part follows

  static constexpr size_t fixed = 25;
  static constexpr size_t level_size = 12;

  unsigned char* raw() { return reinterpret_cast<unsigned char*>(this); }
  const unsigned char* raw() const { return reinterpret_cast<const unsigned char*>(this); }
  zs_node* forward(int i) const {
    zs_node* p;
    memcpy(&p, raw() + fixed + size_t(i) * level_size, sizeof(p));
    return p;
  }
  void set_forward(int i, zs_node* p) { memcpy(raw() + fixed + size_t(i) * level_size, &p, 8); }
  uint32_t span(int i) const {
    uint32_t s;
    memcpy(&s, raw() + fixed + size_t(i) * level_size + 8, 4);
    return s;
  }
  void set_span(int i, uint32_t s) { memcpy(raw() + fixed + size_t(i) * level_size + 8, &s, 4); }
  std::string_view member() const {
    const unsigned char* p = raw() + fixed + size_t(levels) * level_size;
    size_t len;
    size_t h = blob_node::read_varint(p, len);
    return {reinterpret_cast<const char*>(p + h), len};
  }
};

struct zs_traits {
  using node = zs_node;
  static std::string_view key(const node* n) { return n->member(); }
  static node*& next(node* n) { return n->hnext; }
};

// A score interval, each end open or closed.
struct score_range {
  double min, max;
  bool minex = false, maxex = false;
  bool above_min(double v) const { return minex ? v > min : v >= min; }
  bool below_max(double v) const { return maxex ? v < max : v <= max; }
  bool contains(double v) const { return above_min(v) && below_max(v); }
  bool empty() const { return min > max || (min == max && (minex || maxex)); }
};

// A lexicographic interval: "-" and "+" are the infinities.
struct lex_range {
  std::string_view min, max;
  bool minex = false, maxex = false;
  bool min_inf = false, max_inf = false;  // -
  bool min_sup = false, max_sup = false;  // +
  bool above_min(std::string_view v) const;
  bool below_max(std::string_view v) const;
  bool contains(std::string_view v) const { return above_min(v) && below_max(v); }
  bool empty() const;
};

int compare_members(std::string_view a, std::string_view b);

class zskiplist {
 public:
  static constexpr int max_level = 32;

  zskiplist();
  ~zskiplist();
  zskiplist(const zskiplist&) = delete;
  zskiplist& operator=(const zskiplist&) = delete;

  size_t size() const { return length_; }
  zs_node* first() const { return head_->forward(0); }
  zs_node* last() const { return tail_; }
  static zs_node* next(const zs_node* n) { return n->forward(0); }
  static zs_node* prev(const zs_node* n) { return n->backward; }

  // A new node for (score, member), not yet linked anywhere.
  static zs_node* make_node(int levels, double score, std::string_view member);
  int random_level();

  // Links a node (its member must not be present).
  void link(zs_node* n);
  // Unlinks a node (does not free it).
  void unlink(zs_node* n);
  // Changes a linked node's score, moving it if needed.
  void rescore(zs_node* n, double score);

  // 1-based rank of a linked node.
  size_t rank_of(const zs_node* n) const;
  // The node at 1-based rank r (nullptr if out of range).
  zs_node* at_rank(size_t r) const;

  zs_node* first_in(const score_range& r) const;
  zs_node* last_in(const score_range& r) const;
  zs_node* first_in(const lex_range& r) const;
  zs_node* last_in(const lex_range& r) const;

  size_t memory() const;
  // The head node (all levels, no member), for memory accounting.
  const zs_node* head() const { return head_; }

 private:
  void find_path(double score, std::string_view member, zs_node** update, uint32_t* rank) const;

  zs_node* head_;
  zs_node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  std::minstd_rand rng_;
};

// The sorted set's skiplist encoding: the ordered index plus member lookup.
struct zset_big {
  zskiplist list;
  str_table<zs_traits> dict;

  size_t size() const { return list.size(); }
  zs_node* find(std::string_view member) const { return dict.find(member); }
  // Inserts a member that is absent.
  zs_node* insert(double score, std::string_view member);
  // Removes a member; false if absent.
  bool erase(std::string_view member);
  void erase_node(zs_node* n);
  zset_big* clone() const;
  ~zset_big();
};

}  // namespace troupe
