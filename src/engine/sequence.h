// One request inside the engine: what it asked for, the tokens it has so far, where its
// keys and values live, and the per-request pieces that turn a row of logits into the
// next event (sampler, grammar, stop strings, streaming detokenizer).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "engine/constrained_step.h"
#include "sampling/stop_strings.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt {

// What every sequence of one engine shares; outlives them.
struct SequenceContext {
  const Tokenizer& tokenizer;
  std::vector<int32_t> eos_ids;
  std::vector<int32_t> tokenless_ids;  // logit rows with no token (padded vocabulary): never sampled
  int32_t vocab;
};

class Sequence {
 public:
  // Validates what the engine thread would otherwise fail on (sampling parameters, stop
  // strings, the grammar); throws Error. `budget` is how many tokens it may generate.
  Sequence(uint64_t id, SequenceParams params, Engine::Callback on_event,
           const SequenceContext& context, int64_t budget);

  uint64_t id() const { return id_; }
  int64_t prompt_size() const { return static_cast<int64_t>(params_.prompt.size()); }
  int64_t generated_size() const { return static_cast<int64_t>(generated_.size()); }
  // Prompt then generated tokens: what the model must have seen before the next sample.
  const std::vector<int32_t>& tokens() const { return tokens_; }
  int64_t budget() const { return budget_; }
  bool finished() const { return finished_; }

  // Samples the next token from `logits` (vocab floats, overwritten) and delivers its
  // event; the last event of the sequence carries finished = true.
  void sample(float* logits);
  // Ends the sequence without a token ("abort", "error", or "length" for a zero budget).
  void finish_without_token(const std::string& reason, const std::string& error = {});

  // Where the sequence's keys and values are (paged engine state, owned by the scheduler).
  std::vector<int32_t> blocks;   // block table: position p lives in blocks[p / block_size]
  std::vector<uint64_t> block_hashes;  // prefix hash of each full block computed so far
  int64_t computed = 0;          // positions whose keys/values are in the cache
  int64_t cached_prompt_tokens = 0;  // prompt tokens the prefix cache served (first admission)
  bool admitted_once = false;

 private:
  void deliver(SequenceEvent event);

  uint64_t id_;
  SequenceParams params_;
  Engine::Callback on_event_;
  const SequenceContext& context_;
  int64_t budget_;
  ConstrainedSampler sampler_;
  StopStringMatcher stops_;
  StreamDecoder decoder_;
  std::vector<int32_t> tokens_, generated_;
  bool finished_ = false;
};

}  // namespace qwenrt
