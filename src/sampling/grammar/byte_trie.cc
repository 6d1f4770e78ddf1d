#include "sampling/grammar/byte_trie.h"

#include <algorithm>

#include "base/error.h"

namespace qwenrt::grammar {

ByteTrie ByteTrie::build(std::vector<std::pair<std::string, int32_t>> entries) {
  std::sort(entries.begin(), entries.end());
  ByteTrie t;
  t.ids_.reserve(entries.size());
  std::vector<uint32_t> path;  // node index at each depth - 1
  std::string_view previous;
  for (const auto& [bytes, id] : entries) {
    if (bytes.size() > kMaxDepth) throw Error("token longer than " + std::to_string(kMaxDepth) + " bytes");
    // Sorted order: the shared prefix with the previous string is the path kept.
    size_t common = 0;
    while (common < previous.size() && common < bytes.size() && previous[common] == bytes[common]) ++common;
    while (path.size() > common) {
      t.nodes_[path.back()].skip = static_cast<uint32_t>(t.nodes_.size());
      path.pop_back();
    }
    for (size_t d = common; d < bytes.size(); ++d) {
      path.push_back(static_cast<uint32_t>(t.nodes_.size()));
      t.nodes_.push_back(Node{0, static_cast<uint32_t>(t.ids_.size()), 0, static_cast<uint16_t>(d + 1),
                              static_cast<uint8_t>(bytes[d])});
    }
    if (bytes.empty()) {
      ++t.root_count_;
    } else {
      Node& end = t.nodes_[path.back()];
      if (end.token_count == 0) end.token_begin = static_cast<uint32_t>(t.ids_.size());
      ++end.token_count;
    }
    t.ids_.push_back(id);
    t.max_depth_ = std::max(t.max_depth_, bytes.size());
    previous = bytes;
  }
  while (!path.empty()) {
    t.nodes_[path.back()].skip = static_cast<uint32_t>(t.nodes_.size());
    path.pop_back();
  }
  return t;
}

std::span<const int32_t> ByteTrie::subtree_tokens(size_t i) const {
  // Preorder over sorted strings: a subtree's tokens are contiguous, starting at the
  // first node's and ending where the next node outside the subtree starts.
  const uint32_t begin = nodes_[i].token_begin;
  const uint32_t end = nodes_[i].skip < nodes_.size() ? nodes_[nodes_[i].skip].token_begin
                                                      : static_cast<uint32_t>(ids_.size());
  return {ids_.data() + begin, end - begin};
}

}  // namespace qwenrt::grammar
