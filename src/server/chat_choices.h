// The n choices of one chat completion as engine events arrive: each choice's text goes
// through its own output parser (reasoning, tool calls); the result is either the
// stream of chat.completion.chunk events or, at the end, the whole chat.completion.
// Knows nothing of the engine or HTTP, so both shapes are tested from synthetic events.
#pragma once
#include <string>
#include <vector>

#include "chat/chat_output_parser.h"
#include "engine/engine.h"
#include "server/chat_response.h"

namespace qwenrt::server {

class ChatChoices {
 public:
  // `header.object` is set per output shape; `tokenizer` spells logprob tokens.
  ChatChoices(ResponseHeader header, size_t n, const ChatOutputOptions& output, bool logprobs, bool include_usage,
              const Tokenizer& tokenizer);

  // Streaming: the opening chunks (the assistant role of every choice).
  std::string start_stream();
  // Streaming: the chunks an event produces ("" when the parsers hold its text back). An
  // event finishing with reason "error" produces an error event instead; see failed().
  std::string stream_event(size_t choice, const SequenceEvent& event);
  // Streaming: the usage chunk (if asked for) and "data: [DONE]".
  std::string end_stream();

  // Not streaming: takes an event; throws ApiError 500 when a choice failed.
  void add_event(size_t choice, const SequenceEvent& event);
  Json response() const;

  bool failed() const { return !error_.empty(); }
  const Usage& usage() const { return usage_; }

 private:
  struct Choice {
    explicit Choice(const ChatOutputOptions& options) : parser(options) {}
    ChatOutputParser parser;
    ParsedOutput message;  // all of it so far
    Json logprobs;         // streaming: entries not sent yet; else all
    std::string finish_reason;
  };
  ChatDelta apply(size_t choice, const SequenceEvent& event);

  ResponseHeader header_;
  std::vector<Choice> choices_;
  bool logprobs_, include_usage_;
  const Tokenizer& tokenizer_;
  Usage usage_;
  std::string error_;
};

}  // namespace qwenrt::server
