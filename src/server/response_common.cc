#include "server/response_common.h"

#include <chrono>
#include <random>

namespace qwenrt::server {

std::string random_id(const std::string& prefix) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  std::string id = prefix;
  for (int i = 0; i < 24; ++i) id += kAlphabet[pick(rng)];
  return id;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json usage_json(const Usage& u) {
  Json j = Json::object();
  j["prompt_tokens"] = u.prompt_tokens;
  j["completion_tokens"] = u.completion_tokens;
  j["total_tokens"] = u.prompt_tokens + u.completion_tokens;
  j["prompt_tokens_details"] = Json{{"cached_tokens", u.cached_tokens}};
  return j;
}

Json header_json(const ResponseHeader& h) {
  Json j = Json::object();
  j["id"] = h.id;
  j["object"] = h.object;
  j["created"] = h.created;
  j["model"] = h.model;
  return j;
}

std::string token_text(const Tokenizer& tokenizer, int32_t id) {
  if (!tokenizer.has_token(id)) return "";  // a padding row of the model's vocabulary
  return std::string(tokenizer.token_bytes(id));
}

namespace {

Json token_json(const Tokenizer& tokenizer, int32_t id, float logprob) {
  const std::string text = token_text(tokenizer, id);
  Json bytes = Json::array();
  for (unsigned char c : text) bytes.push_back(static_cast<int>(c));
  Json j = Json::object();
  j["token"] = text;
  j["logprob"] = logprob;
  j["bytes"] = std::move(bytes);
  return j;
}

}  // namespace

Json chat_logprob_entry(const Tokenizer& tokenizer, const SampledToken& sampled) {
  Json j = token_json(tokenizer, sampled.token, sampled.logprob);
  Json top = Json::array();
  for (const TokenLogprob& t : sampled.top_logprobs) top.push_back(token_json(tokenizer, t.token, t.logprob));
  j["top_logprobs"] = std::move(top);
  return j;
}

std::string sse_event(const Json& value) { return "data: " + dump_json(value) + "\n\n"; }

}  // namespace qwenrt::server
