#include "sampling/grammar/position_mask.h"

#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "sampling/grammar/stack_pool.h"

namespace qwenrt::grammar {

namespace {

// Below this many accepted tokens a list is smaller and faster to apply than a bitmask.
constexpr int64_t kSparseLimit = 1024;

}  // namespace

PositionMask compute_position_mask(const Pda& pda, const VocabularyIndex& vocab, int32_t state) {
  const ByteTrie& trie = vocab.trie();
  StackPool pool(pda);
  Stepper stepper(pda, pool);
  const size_t depth_max = trie.max_depth() + 1;
  // Per depth along the current trie path: live stacks, whether the state's frame
  // returned right after this byte, and whether it returned anywhere up to here.
  std::vector<StackSet> live(depth_max);
  std::vector<uint8_t> returned_here(depth_max, 0), returned_on_path(depth_max, 0);
  // The bottom node stands for "whatever the caller is": reaching it is a return.
  live[0].assign_one(Stack{StackPool::kBottom, state});

  std::vector<int32_t> accepted;
  std::vector<std::pair<std::string, int32_t>> tails;
  const auto& nodes = trie.nodes();
  for (size_t i = 0; i < nodes.size();) {
    const ByteTrie::Node& node = nodes[i];
    const size_t d = node.depth;
    const StackSet& prev = live[d - 1];
    StackSet& cur = live[d];
    bool returned = false;
    if (prev.size() == 1) {
      // Fast path: one stack stepping inside its rule touches no pool.
      const int32_t t = pda.next(prev[0].state, node.byte);
      cur.clear();
      if (t >= 0) {
        if (pda.is_plain(t)) cur.assign_one(Stack{prev[0].parent, t});
        else returned = stepper.close(Stack{prev[0].parent, t}, cur);
      }
    } else if (!prev.empty()) {
      returned = stepper.advance(prev, node.byte, cur);
    } else {
      cur.clear();
    }
    returned_here[d] = returned;
    returned_on_path[d] = returned_on_path[d - 1] || returned;
    if (cur.empty()) {
      if (returned_on_path[d]) {
        // Every token below returned somewhere on this path and died after: each
        // return point gives a tail for the caller to judge.
        for (int32_t id : trie.subtree_tokens(i)) {
          const std::string_view bytes = vocab.bytes(id);
          for (size_t k = 1; k <= d; ++k) {
            if (returned_here[k]) tails.emplace_back(std::string(bytes.substr(k)), id);
          }
        }
      }
      i = node.skip;
      continue;
    }
    for (int32_t id : trie.tokens(node)) accepted.push_back(id);
    ++i;
  }

  PositionMask m;
  m.accepted_count = static_cast<int64_t>(accepted.size());
  if (m.accepted_count < kSparseLimit) {
    m.accepted_ids = std::move(accepted);
  } else {
    TokenBitmask bits(vocab.mask_size());
    bits.set_ids(accepted);
    m.accepted_words.assign(bits.words().begin(), bits.words().end());
  }
  m.tails = ByteTrie::build(std::move(tails));
  return m;
}

std::shared_ptr<const PositionMask> SharedMaskCache::get_or_compute(const std::string& key,
                                                                    const std::function<PositionMask()>& compute) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = masks_.find(key); it != masks_.end()) return it->second;
  }
  auto mask = std::make_shared<const PositionMask>(compute());
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = masks_.find(key); it != masks_.end()) return it->second;
  if (masks_.size() < capacity_) masks_.emplace(key, mask);
  return mask;
}

size_t SharedMaskCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return masks_.size();
}

std::string leaf_state_key(const Pda& pda, int32_t state) {
  constexpr size_t kMaxStates = 256;
  std::unordered_map<int32_t, int32_t> ids{{state, 0}};
  std::deque<int32_t> queue{state};
  std::string key;
  auto put = [&](int32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  while (!queue.empty()) {
    const int32_t s = queue.front();
    queue.pop_front();
    key += pda.is_final(s) ? 'F' : 'N';
    int32_t run_target = -2;
    for (int b = 0; b < 256; ++b) {
      const int32_t t = pda.next(s, static_cast<uint8_t>(b));
      int32_t canonical = -1;
      if (t >= 0) {
        auto [it, added] = ids.emplace(t, static_cast<int32_t>(ids.size()));
        if (added) queue.push_back(t);
        canonical = it->second;
      }
      if (canonical != run_target) {
        put(b);
        put(canonical);
        run_target = canonical;
      }
    }
    if (ids.size() > kMaxStates) return "";
    key += '|';
  }
  return key;
}

}  // namespace qwenrt::grammar
