#include "engine/sequence.h"

#include <algorithm>
#include <cmath>

namespace qwenrt {

Sequence::Sequence(uint64_t id, SequenceParams params, Engine::Callback on_event,
                   const SequenceContext& context, int64_t budget)
    : id_(id), params_(std::move(params)), on_event_(std::move(on_event)), context_(context),
      budget_(budget), sampler_(params_.sampling, context.vocab), stops_(params_.stop),
      decoder_(context.tokenizer) {
  if (params_.grammar) grammar_.emplace(params_.grammar, context_.eos_ids);
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
  const int32_t vocab = context_.vocab;
  for (int32_t id : context_.tokenless_ids) logits[id] = -INFINITY;
  const int64_t left = budget_ - generated_size();
  auto draw = [&] {
    if (params_.top_logprobs >= 0) {
      return sampler_.sample_with_logprobs(logits, params_.prompt, generated_, params_.top_logprobs);
    }
    SampledToken s;
    s.token = sampler_.sample(logits, params_.prompt, generated_);
    return s;
  };
  if (grammar_) {
    raw_logits_.assign(logits, logits + vocab);
    grammar_->apply(logits, vocab);
  }
  SampledToken chosen = draw();
  if (grammar_ && !grammar_->fits_budget(chosen.token, left)) {
    // Too close to the budget for this token: draw again among those that still finish.
    std::copy(raw_logits_.begin(), raw_logits_.end(), logits);
    grammar_->apply_within_budget(logits, vocab, left);
    chosen = draw();
  }
  if (grammar_) grammar_->accept(chosen.token);
  const int32_t token = chosen.token;
  tokens_.push_back(token);
  generated_.push_back(token);

  SequenceEvent event;
  event.token = token;
  if (params_.top_logprobs >= 0) event.logprobs = std::move(chosen);
  const auto& eos = context_.eos_ids;
  const bool is_eos = std::find(eos.begin(), eos.end(), token) != eos.end();
  if (is_eos && (!params_.ignore_eos || grammar_)) {
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
  } else if ((grammar_ && grammar_->is_finished()) || generated_size() >= budget_) {
    event.text += stops_.push(decoder_.flush()).text;
    if (!stops_.stopped()) event.text += stops_.flush();
    event.finished = true;
    event.finish_reason = grammar_ && grammar_->is_finished() ? "stop" : "length";
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
