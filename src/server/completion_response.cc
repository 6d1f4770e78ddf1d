#include "server/completion_response.h"

namespace qwenrt::server {

// text_offset counts characters, as Python's len() of the text does: every byte that
// does not continue a UTF-8 sequence.
size_t character_count(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

void CompletionLogprobs::add(const Tokenizer& tokenizer, const SampledToken& sampled) {
  const std::string text = token_text(tokenizer, sampled.token);
  tokens_.push_back(text);
  token_logprobs_.push_back(sampled.logprob);
  Json top = Json::object();
  for (const TokenLogprob& t : sampled.top_logprobs) top[token_text(tokenizer, t.token)] = t.logprob;
  top_.push_back(std::move(top));
  offsets_.push_back(offset_);
  offset_ += character_count(text);
}

Json CompletionLogprobs::json() const {
  Json j = Json::object();
  j["tokens"] = tokens_;
  j["token_logprobs"] = token_logprobs_;
  j["top_logprobs"] = top_;
  j["text_offset"] = offsets_;
  return j;
}

void CompletionLogprobs::clear() {
  tokens_ = Json::array();
  token_logprobs_ = Json::array();
  top_ = Json::array();
  offsets_ = Json::array();
}

Json completion_json(const ResponseHeader& header, const std::vector<CompletionChoice>& choices, const Usage& usage) {
  Json j = header_json(header);
  Json list = Json::array();
  for (size_t i = 0; i < choices.size(); ++i) {
    Json c = Json::object();
    c["index"] = i;
    c["text"] = choices[i].text;
    c["logprobs"] = choices[i].logprobs;
    c["finish_reason"] = choices[i].finish_reason;
    list.push_back(std::move(c));
  }
  j["choices"] = std::move(list);
  j["usage"] = usage_json(usage);
  return j;
}

Json completion_chunk_json(const ResponseHeader& header, int index, const std::string& text,
                           const std::optional<std::string>& finish_reason, const Json& logprobs,
                           bool with_usage_field) {
  Json c = Json::object();
  c["index"] = index;
  c["text"] = text;
  c["logprobs"] = logprobs;
  c["finish_reason"] = finish_reason ? Json(*finish_reason) : Json();
  Json j = header_json(header);
  j["choices"] = Json::array({std::move(c)});
  if (with_usage_field) j["usage"] = nullptr;
  return j;
}

}  // namespace qwenrt::server
