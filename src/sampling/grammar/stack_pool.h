// The matcher's stacks. Many stacks share their lower frames (they split where the
// grammar is ambiguous), so frames below the top live in one pool as a tree: a node
// is (return state, parent node), interned so equal stacks are equal ids. A stack is
// then just (parent node, top state): stepping a byte inside one rule touches no pool
// at all, which is what keeps walks over the vocabulary fast.
//
// The pool can be rolled back to a mark: mask computation explores thousands of
// token prefixes and must not leave their nodes behind.
#pragma once
#include <cstdint>
#include <vector>

#include "sampling/grammar/pda.h"

namespace qwenrt::grammar {

struct StackNode {
  int32_t parent;      // node below; kBottom has itself
  int32_t state;       // where the caller continues once the frame above returns
  int32_t dist_below;  // fewest bytes to finish this node's frame and all below it
  int32_t depth;       // frames in the node chain
};

struct Stack {
  int32_t parent;  // node id of the frames below the top
  int32_t state;   // the top frame's state
  bool operator==(const Stack& o) const { return parent == o.parent && state == o.state; }
};

class StackPool {
 public:
  static constexpr int32_t kBottom = 0;
  // Deeper nesting than this is refused (the path dies): bounds memory on hostile output.
  static constexpr int32_t kMaxDepth = 4096;

  explicit StackPool(const Pda& pda);

  // The node for frame `state` on top of `parent`, or -1 beyond kMaxDepth.
  int32_t push(int32_t parent, int32_t state);
  const StackNode& node(int32_t id) const { return nodes_[static_cast<size_t>(id)]; }
  // Fewest bytes that finish the whole stack.
  int32_t distance(const Stack& s) const { return pda_.distance(s.state) + nodes_[s.parent].dist_below; }

  size_t mark() const { return nodes_.size(); }
  // Forgets every node pushed since `mark` (nodes are removed last-in first-out, which
  // keeps the open-addressing table valid without tombstones).
  void rollback(size_t mark);
  size_t size() const { return nodes_.size(); }

 private:
  size_t slot_of(int32_t parent, int32_t state) const;
  void grow();

  const Pda& pda_;
  std::vector<StackNode> nodes_;
  std::vector<int32_t> table_;  // node id or -1
  size_t mask_ = 0;
};

// A small set of stacks (deduplicated on insert).
class StackSet {
 public:
  // Ambiguity beyond this many live stacks is a grammar error, not a slow crawl.
  static constexpr size_t kMaxStacks = 4096;

  void clear() { stacks_.clear(); }
  bool empty() const { return stacks_.empty(); }
  size_t size() const { return stacks_.size(); }
  const Stack& operator[](size_t i) const { return stacks_[i]; }
  auto begin() const { return stacks_.begin(); }
  auto end() const { return stacks_.end(); }
  void insert(const Stack& s);
  void assign_one(const Stack& s) {
    stacks_.clear();
    stacks_.push_back(s);
  }

 private:
  std::vector<Stack> stacks_;
};

// Closure and byte steps over stack sets.
class Stepper {
 public:
  Stepper(const Pda& pda, StackPool& pool) : pda_(pda), pool_(pool) {}

  // Adds to `out` every stack that `s` stands for once calls are pushed and finished
  // rules are popped, keeping those whose top consumes bytes. Returns true when a pop
  // went below the bottom: everything on the stack is complete.
  bool close(const Stack& s, StackSet& out);
  // Consumes `byte` from every stack of `in` into `out` (cleared first); returns true
  // when some stack completed entirely.
  bool advance(const StackSet& in, uint8_t byte, StackSet& out);

  const Pda& pda() const { return pda_; }
  StackPool& pool() { return pool_; }

 private:
  const Pda& pda_;
  StackPool& pool_;
  std::vector<Stack> work_;
  std::vector<Stack> visited_;
};

}  // namespace qwenrt::grammar
