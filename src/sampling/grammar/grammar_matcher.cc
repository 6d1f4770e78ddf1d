#include "sampling/grammar/grammar_matcher.h"

#include <algorithm>

namespace qwenrt::grammar {

GrammarMatcher::GrammarMatcher(std::shared_ptr<const CompiledGrammar> grammar)
    : grammar_(std::move(grammar)), pda_(grammar_->pda()), pool_(pda_), stepper_(pda_, pool_) {
  levels_.resize(grammar_->vocab().trie().max_depth() + 1);
  reset();
}

void GrammarMatcher::reset() {
  pool_.rollback(1);
  stacks_.clear();
  can_end_ = stepper_.close(Stack{StackPool::kBottom, pda_.rule_start(pda_.root())}, stacks_);
}

bool GrammarMatcher::step(const StackSet& in, uint8_t byte, StackSet& out) {
  if (in.size() == 1) {
    const int32_t t = pda_.next(in[0].state, byte);
    out.clear();
    if (t < 0) return false;
    if (pda_.is_plain(t)) {
      out.assign_one(Stack{in[0].parent, t});
      return false;
    }
    return stepper_.close(Stack{in[0].parent, t}, out);
  }
  return stepper_.advance(in, byte, out);
}

bool GrammarMatcher::simulate(std::string_view bytes, StackSet& out, bool& completed) {
  StackSet* cur = &scratch_a_;
  StackSet* nxt = &scratch_b_;
  *cur = stacks_;
  completed = can_end_;
  for (char c : bytes) {
    if (cur->empty()) return false;
    completed = step(*cur, static_cast<uint8_t>(c), *nxt);
    std::swap(cur, nxt);
    if (cur->empty() && !completed) return false;
  }
  out = *cur;
  return true;
}

bool GrammarMatcher::accept_bytes(std::string_view bytes) {
  const size_t mark = pool_.mark();
  StackSet result;
  bool completed = false;
  if (!simulate(bytes, result, completed)) {
    pool_.rollback(mark);
    return false;
  }
  stacks_ = std::move(result);
  can_end_ = completed;
  return true;
}

bool GrammarMatcher::accept_token(int32_t token) {
  const std::string_view bytes = grammar_->vocab().bytes(token);
  if (bytes.empty()) return false;
  return accept_bytes(bytes);
}

int32_t GrammarMatcher::distance(const StackSet& set, bool completed) const {
  if (completed) return 0;
  int32_t best = Pda::kInfinite;
  for (const Stack& s : set) best = std::min(best, pool_.distance(s));
  return best;
}

int32_t GrammarMatcher::min_bytes_to_end() const { return distance(stacks_, can_end_); }

int32_t GrammarMatcher::min_bytes_to_end_after(int32_t token) {
  const std::string_view bytes = grammar_->vocab().bytes(token);
  if (bytes.empty()) return -1;
  const size_t mark = pool_.mark();
  StackSet result;
  bool completed = false;
  const bool ok = simulate(bytes, result, completed);
  const int32_t d = ok ? distance(result, completed) : -1;
  pool_.rollback(mark);
  return d;
}

template <typename OnToken>
void GrammarMatcher::walk(const ByteTrie& trie, const StackSet& start, OnToken&& on_token) {
  levels_[0] = start;
  const auto& nodes = trie.nodes();
  for (size_t i = 0; i < nodes.size();) {
    const ByteTrie::Node& node = nodes[i];
    StackSet& cur = levels_[node.depth];
    const bool completed = step(levels_[node.depth - 1], node.byte, cur);
    if (cur.empty() && !completed) {
      i = node.skip;
      continue;
    }
    for (int32_t id : trie.tokens(node)) on_token(id, cur, completed);
    // Completed with no stack left: nothing can follow, so no longer token fits.
    i = cur.empty() ? node.skip : i + 1;
  }
}

void GrammarMatcher::fill_mask(TokenBitmask& mask) {
  const VocabularyIndex& vocab = grammar_->vocab();
  if (mask.size() != vocab.mask_size()) mask.resize(vocab.mask_size());
  mask.clear();
  const size_t mark = pool_.mark();
  seen_states_.clear();
  for (const Stack& s : stacks_) {
    const PositionMask& pm = grammar_->position_mask(s.state);
    if (std::find(seen_states_.begin(), seen_states_.end(), s.state) == seen_states_.end()) {
      seen_states_.push_back(s.state);
      pm.add_accepted_to(mask);
    }
    // Tokens ending exactly where this frame returns: the caller always goes on (the
    // automaton is trimmed), or the value is complete.
    mask.set_ids(pm.tails.root_tokens());
    if (pm.tails.nodes().empty() || s.parent == StackPool::kBottom) continue;
    const StackNode& below = pool_.node(s.parent);
    StackSet context;
    stepper_.close(Stack{below.parent, below.state}, context);
    if (context.empty()) continue;
    walk(pm.tails, context, [&](int32_t id, const StackSet&, bool) { mask.set(id); });
  }
  pool_.rollback(mark);
}

void GrammarMatcher::fill_mask_uncached(TokenBitmask& mask) {
  const VocabularyIndex& vocab = grammar_->vocab();
  if (mask.size() != vocab.mask_size()) mask.resize(vocab.mask_size());
  mask.clear();
  const size_t mark = pool_.mark();
  walk(vocab.trie(), stacks_, [&](int32_t id, const StackSet&, bool) { mask.set(id); });
  pool_.rollback(mark);
}

void GrammarMatcher::fill_mask_within(TokenBitmask& mask, int64_t max_bytes) {
  const VocabularyIndex& vocab = grammar_->vocab();
  if (mask.size() != vocab.mask_size()) mask.resize(vocab.mask_size());
  mask.clear();
  const size_t mark = pool_.mark();
  walk(vocab.trie(), stacks_, [&](int32_t id, const StackSet& set, bool completed) {
    if (distance(set, completed) <= max_bytes) mask.set(id);
  });
  pool_.rollback(mark);
}

}  // namespace qwenrt::grammar
