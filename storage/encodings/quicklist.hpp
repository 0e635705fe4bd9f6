// A quicklist: the list value. A doubly linked list of nodes, each a listpack of
// consecutive elements, so a list costs a couple of bytes of overhead per element
// and pushes and pops at both ends are O(1). `fill` is list-max-listpack-size: a
// negative value caps a node's bytes (-1: 4 KB ... -5: 64 KB), a positive one its
// element count (with an 8 KB safety cap, as Redis does).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/encodings/listpack.hpp"

namespace troupe {

struct ql_node {
  ql_node* prev;
  ql_node* next;
  unsigned char* lp;
  uint32_t count;
};

class quicklist {
 public:
  explicit quicklist(int fill = -2) : fill_(fill) {}
  ~quicklist();
  quicklist(const quicklist&) = delete;
  quicklist& operator=(const quicklist&) = delete;
  quicklist* clone() const;

  size_t size() const { return count_; }
  size_t node_count() const { return nodes_; }
  int fill() const { return fill_; }
  void set_fill(int f) { fill_ = f; }
  ql_node* head() const { return head_; }
  ql_node* tail() const { return tail_; }
  size_t memory() const;

  void push_front(std::string_view s);
  void push_back(std::string_view s);
  // Pops into out; false when empty.
  bool pop_front(std::string& out);
  bool pop_back(std::string& out);

  // A position: a node and an entry inside its listpack.
  struct iter {
    ql_node* node = nullptr;
    unsigned char* p = nullptr;
    explicit operator bool() const { return node != nullptr; }
  };
  // The element at index i (negative from the end); empty iter if out of range.
  iter at(long i) const;
  iter begin() const { return head_ ? iter{head_, lp::first(head_->lp)} : iter{}; }
  iter rbegin() const { return tail_ ? iter{tail_, lp::last(tail_->lp)} : iter{}; }
  void next(iter& it) const;
  void prev(iter& it) const;
  static lp::value get(const iter& it) { return lp::get(it.p); }

  // Inserts s before or after it.
  void insert(const iter& it, std::string_view s, bool after);
  void replace(iter& it, std::string_view s);
  // Removes the element at it and moves it to the following element (towards the
  // tail if forward, else towards the head); it becomes empty at the end.
  void erase(iter& it, bool forward);
  // Removes n elements starting at index start (0 <= start < size).
  void erase_range(size_t start, size_t n);

 private:
  ql_node* new_node(ql_node* after_of, bool before);
  void unlink_node(ql_node* n);
  bool node_has_room(const ql_node* n, size_t add) const;
  bool node_too_big(const ql_node* n) const;
  void split(ql_node* n);

  ql_node* head_ = nullptr;
  ql_node* tail_ = nullptr;
  size_t count_ = 0;
  size_t nodes_ = 0;
  int fill_;
};

}  // namespace troupe
