#include "engine/sequence.h"

#include <algorithm>

namespace qwenrt {

Sequence::Sequence(uint64_t id, SequenceParams params, Engine::Callback on_event,
                   const SequenceContext& context, int64_t budget)
    : id_(id), params_(std::move(params)), on_event_(std::move(on_event)), context_(context),
      budget_(budget),
      sampler_(params_.sampling, context.vocab, params_.grammar, context.eos_ids, context.tokenless_ids),
      stops_(params_.stop), decoder_(context.tokenizer) {
  tokens_ = params_.prompt;
}

void Sequence::deliver(SequenceEvent event) {
  event.prompt_tokens = prompt_size();
  event.cached_prompt_tokens = cached_prompt_tokens;
  event.completion_tokens = generated_size();
  if (event.finished) finished_ = true;
  if (!on_event_) return;
  try {
    on_event_(event);
  } catch (...) {
    // The callback belongs to the caller (it must not throw); the engine keeps running
    // every other sequence whatever it does.
  }
}

void Sequence::sample(float* logits) {
  std::optional<SampledToken> logprobs;
  const int32_t token = sampler_.next(logits, params_.prompt, generated_, budget_ - generated_size(),
                                      params_.top_logprobs, &logprobs);
  tokens_.push_back(token);
  generated_.push_back(token);

  SequenceEvent event;
  event.token = token;
  event.logprobs = std::move(logprobs);
  const auto& eos = context_.eos_ids;
  const bool is_eos = std::find(eos.begin(), eos.end(), token) != eos.end();
  if (is_eos && (!params_.ignore_eos || sampler_.constrained())) {
    event.text = stops_.push(decoder_.flush()).text + stops_.flush();
    event.finished = true;
    event.finish_reason = "stop";
    return deliver(std::move(event));
  }
  const StopStringMatcher::Step step = stops_.push(decoder_.push(token));
  event.text = step.text;
  if (step.stopped) {
    event.finished = true;
    event.finish_reason = "stop";
  } else if (sampler_.finished() || generated_size() >= budget_) {
    event.text += stops_.push(decoder_.flush()).text;
    if (!stops_.stopped()) event.text += stops_.flush();
    event.finished = true;
    event.finish_reason = sampler_.finished() ? "stop" : "length";
  }
  deliver(std::move(event));
}

void Sequence::finish_without_token(const std::string& reason, const std::string& error) {
  SequenceEvent event;
  if (reason != "error") {
    event.text = stops_.push(decoder_.flush()).text;
    if (!stops_.stopped()) event.text += stops_.flush();
  }
  event.finished = true;
  event.finish_reason = reason;
  event.error = error;
  deliver(std::move(event));
}

}  // namespace qwenrt
