// Finding added tokens (<|im_start|>, <think>, ...) in text before the model
// sees it, as the reference's AddedVocabulary::find_matches does:
// leftmost-longest matches of all patterns (Aho-Corasick semantics), then each
// match filtered by its token's flags (special / single_word) and widened by
// lstrip / rstrip.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer_spec.h"

namespace qwenrt {

// A stretch of text: an added token (id >= 0) or text for the model (id < 0).
struct Segment {
  size_t begin;
  size_t end;
  int32_t id;
};

class AddedTokenMatcher {
 public:
  // Adds `pattern` (the text to find; the token's content, normalized when the
  // token is matched in normalized text) standing for `token`.
  void add(std::string_view pattern, const AddedToken& token);
  bool empty() const { return tokens_.empty(); }

  // Appends the segments covering `text` to `out`. With `parse_special` false,
  // special tokens are not matched (they stay text), like the reference's
  // encode_special_tokens.
  void split(std::string_view text, bool parse_special, std::vector<Segment>& out) const;

 private:
  struct Node {
    std::vector<std::pair<uint8_t, uint32_t>> children;  // byte -> node index
    int32_t token = -1;                                  // index into tokens_
  };
  // The longest pattern starting at text[pos]: its token index and end, or -1.
  int32_t longest_match(std::string_view text, size_t pos, size_t& end) const;

  std::vector<Node> nodes_{1};  // nodes_[0] is the root
  std::vector<AddedToken> tokens_;
  bool first_byte_[256] = {};
};

}  // namespace qwenrt
