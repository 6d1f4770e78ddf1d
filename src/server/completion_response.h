// The bodies /v1/completions returns: a text_completion, or its stream chunks.
// Logprobs use the legacy completions shape: parallel lists tokens, token_logprobs,
// top_logprobs ({token: logprob}) and text_offset.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "server/response_common.h"

namespace qwenrt::server {

// Characters in UTF-8 text (the unit of text_offset).
size_t character_count(std::string_view text);

// Accumulates the legacy logprobs object of one choice.
class CompletionLogprobs {
 public:
  // `offset`: where the choice's text starts, in characters (after an echoed prompt).
  explicit CompletionLogprobs(size_t offset = 0) : offset_(offset) {}
  void add(const Tokenizer& tokenizer, const SampledToken& sampled);
  bool empty() const { return tokens_.empty(); }
  Json json() const;
  void clear();  // keeps the running text offset (streaming sends pieces)

 private:
  size_t offset_;
  Json tokens_ = Json::array(), token_logprobs_ = Json::array(), top_ = Json::array(), offsets_ = Json::array();
};

struct CompletionChoice {
  std::string text;
  std::string finish_reason;
  Json logprobs;  // null or CompletionLogprobs::json()
};

Json completion_json(const ResponseHeader& header, const std::vector<CompletionChoice>& choices, const Usage& usage);

Json completion_chunk_json(const ResponseHeader& header, int index, const std::string& text,
                           const std::optional<std::string>& finish_reason, const Json& logprobs,
                           bool with_usage_field);

}  // namespace qwenrt::server
