#include "sampling/grammar/stack_pool.h"

#include <algorithm>

#include "base/error.h"

namespace qwenrt::grammar {

namespace {

uint64_t hash_frame(int32_t parent, int32_t state) {
  uint64_t x = (static_cast<uint64_t>(static_cast<uint32_t>(parent)) << 32) | static_cast<uint32_t>(state);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

}  // namespace

StackPool::StackPool(const Pda& pda) : pda_(pda) {
  nodes_.push_back(StackNode{kBottom, Pda::kNoState, 0, 0});
  table_.assign(1024, -1);
  mask_ = table_.size() - 1;
}

size_t StackPool::slot_of(int32_t parent, int32_t state) const {
  size_t i = hash_frame(parent, state) & mask_;
  while (true) {
    const int32_t id = table_[i];
    if (id < 0) return i;
    const StackNode& n = nodes_[static_cast<size_t>(id)];
    if (n.parent == parent && n.state == state) return i;
    i = (i + 1) & mask_;
  }
}

void StackPool::grow() {
  table_.assign(table_.size() * 2, -1);
  mask_ = table_.size() - 1;
  // Re-inserting in id order keeps the last-in first-out removal of rollback() valid.
  for (size_t id = 1; id < nodes_.size(); ++id) {
    table_[slot_of(nodes_[id].parent, nodes_[id].state)] = static_cast<int32_t>(id);
  }
}

int32_t StackPool::push(int32_t parent, int32_t state) {
  const size_t slot = slot_of(parent, state);
  if (table_[slot] >= 0) return table_[slot];
  const StackNode& below = nodes_[static_cast<size_t>(parent)];
  if (below.depth >= kMaxDepth) return -1;
  const int32_t id = static_cast<int32_t>(nodes_.size());
  nodes_.push_back(StackNode{parent, state, pda_.distance(state) + below.dist_below, below.depth + 1});
  table_[slot] = id;
  if (nodes_.size() * 2 > table_.size()) grow();
  return id;
}

void StackPool::rollback(size_t mark) {
  while (nodes_.size() > mark && nodes_.size() > 1) {
    const StackNode& n = nodes_.back();
    table_[slot_of(n.parent, n.state)] = -1;
    nodes_.pop_back();
  }
}

void StackSet::insert(const Stack& s) {
  if (std::find(stacks_.begin(), stacks_.end(), s) != stacks_.end()) return;
  if (stacks_.size() >= kMaxStacks) {
    throw Error("grammar is too ambiguous: more than " + std::to_string(kMaxStacks) +
                " parses alive at once");
  }
  stacks_.push_back(s);
}

bool Stepper::close(const Stack& start, StackSet& out) {
  if (pda_.is_plain(start.state)) {
    out.insert(start);
    return false;
  }
  bool bottom = false;
  work_.assign(1, start);
  visited_.clear();
  while (!work_.empty()) {
    const Stack s = work_.back();
    work_.pop_back();
    // Nullable callees can bring a stack back to where it was; stop there.
    if (std::find(visited_.begin(), visited_.end(), s) != visited_.end()) continue;
    visited_.push_back(s);
    if (pda_.has_bytes(s.state)) out.insert(s);
    for (const CallEdge& call : pda_.calls(s.state)) {
      const int32_t node = pool_.push(s.parent, call.target);
      if (node >= 0) work_.push_back(Stack{node, pda_.rule_start(call.rule)});
    }
    if (pda_.is_final(s.state)) {
      if (s.parent == StackPool::kBottom) {
        bottom = true;
      } else {
        const StackNode& n = pool_.node(s.parent);
        work_.push_back(Stack{n.parent, n.state});
      }
    }
  }
  return bottom;
}

bool Stepper::advance(const StackSet& in, uint8_t byte, StackSet& out) {
  out.clear();
  bool bottom = false;
  for (const Stack& s : in) {
    const int32_t t = pda_.next(s.state, byte);
    if (t < 0) continue;
    bottom |= close(Stack{s.parent, t}, out);
  }
  return bottom;
}

}  // namespace qwenrt::grammar
