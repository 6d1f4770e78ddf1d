// A trie of byte strings laid out in preorder, each node knowing where its subtree
// ends: a walk is one forward loop that can skip a whole subtree when the automaton
// rejects the node's byte, with no pointers to chase. Used for the vocabulary (all
// tokens) and for the token tails a cached mask leaves to be checked in context.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace qwenrt::grammar {

class ByteTrie {
 public:
  struct Node {
    uint32_t skip;         // index of the first node after this subtree
    uint32_t token_begin;  // tokens ending here: token_ids()[token_begin, +token_count)
    uint32_t token_count;
    uint16_t depth;        // bytes from the root, >= 1
    uint8_t byte;
  };
  static constexpr size_t kMaxDepth = 65535;

  ByteTrie() = default;
  // Entries are (bytes, token id); an empty string belongs to the root. Strings longer
  // than kMaxDepth throw Error.
  static ByteTrie build(std::vector<std::pair<std::string, int32_t>> entries);

  const std::vector<Node>& nodes() const { return nodes_; }
  std::span<const int32_t> tokens(const Node& n) const {
    return {ids_.data() + n.token_begin, n.token_count};
  }
  // Tokens in the subtree of node `i` (itself included), contiguous in preorder.
  std::span<const int32_t> subtree_tokens(size_t i) const;
  std::span<const int32_t> root_tokens() const { return {ids_.data(), root_count_}; }
  size_t max_depth() const { return max_depth_; }
  bool empty() const { return ids_.empty(); }
  size_t memory_bytes() const { return nodes_.size() * sizeof(Node) + ids_.size() * sizeof(int32_t); }

 private:
  std::vector<Node> nodes_;
  std::vector<int32_t> ids_;  // token ids in preorder of the node they end at
  size_t root_count_ = 0;
  size_t max_depth_ = 0;
};

}  // namespace qwenrt::grammar
