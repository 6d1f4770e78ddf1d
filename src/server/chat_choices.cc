#include "server/chat_choices.h"

#include <algorithm>

#include "server/api_error.h"

namespace qwenrt::server {
namespace {

ApiError generation_failed(const std::string& detail) {
  return ApiError(500, "server_error", "generation failed: " + detail);
}

}  // namespace

ChatChoices::ChatChoices(ResponseHeader header, size_t n, const ChatOutputOptions& output, bool logprobs,
                         bool include_usage, const Tokenizer& tokenizer)
    : header_(std::move(header)), logprobs_(logprobs), include_usage_(include_usage), tokenizer_(tokenizer) {
  for (size_t i = 0; i < n; ++i) choices_.emplace_back(output);
}

ChatDelta ChatChoices::apply(size_t index, const SequenceEvent& e) {
  Choice& c = choices_.at(index);
  ChatDelta delta = c.parser.feed(e.text);
  if (logprobs_ && e.logprobs) {
    if (c.logprobs.is_null()) c.logprobs = Json::array();
    c.logprobs.push_back(chat_logprob_entry(tokenizer_, *e.logprobs));
  }
  if (e.finished) {
    delta.append(c.parser.finish());
    usage_.prompt_tokens = e.prompt_tokens;  // one prompt for all choices
    usage_.cached_tokens = std::max(usage_.cached_tokens, e.cached_prompt_tokens);
    usage_.completion_tokens += e.completion_tokens;
    if (e.finish_reason == "error") error_ = e.error.empty() ? "unknown error" : e.error;
  }
  c.message.append(delta);
  if (e.finished) c.finish_reason = chat_finish_reason(e.finish_reason, !c.message.tool_calls.empty());
  return delta;
}

std::string ChatChoices::start_stream() {
  header_.object = "chat.completion.chunk";
  std::string out;
  for (size_t i = 0; i < choices_.size(); ++i) {
    out += sse_event(chat_chunk_json(header_, static_cast<int>(i), {}, true, std::nullopt, Json(), include_usage_));
  }
  return out;
}

std::string ChatChoices::stream_event(size_t index, const SequenceEvent& e) {
  const ChatDelta delta = apply(index, e);
  if (failed()) return sse_event(error_body(generation_failed(error_)));
  Choice& c = choices_[index];
  std::string out;
  const int i = static_cast<int>(index);
  // Logprobs ride on the chunk of their step, even when the parsers hold the text back.
  if (!delta.empty() || (!c.logprobs.is_null() && !e.finished)) {
    out += sse_event(chat_chunk_json(header_, i, delta, false, std::nullopt, c.logprobs, include_usage_));
    c.logprobs = Json();
  }
  if (e.finished) {
    out += sse_event(chat_chunk_json(header_, i, {}, false, c.finish_reason, c.logprobs, include_usage_));
    c.logprobs = Json();
  }
  return out;
}

std::string ChatChoices::end_stream() {
  std::string out;
  if (include_usage_ && !failed()) out += sse_event(usage_chunk_json(header_, usage_));
  return out + kSseDone;
}

void ChatChoices::add_event(size_t index, const SequenceEvent& e) {
  apply(index, e);
  if (failed()) throw generation_failed(error_);
}

Json ChatChoices::response() const {
  ResponseHeader h = header_;
  h.object = "chat.completion";
  std::vector<ChatChoice> out;
  for (const Choice& c : choices_) out.push_back({c.message, c.finish_reason, c.logprobs});
  return chat_completion_json(h, out, usage_);
}

}  // namespace qwenrt::server
