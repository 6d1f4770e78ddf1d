// The generation fields chat and text completions share: sampling knobs, token limits,
// stop strings, n, logprobs and streaming. Defaults come from the checkpoint's
// generation_config; request fields override them one by one.
#pragma once
#include <cstdint>

#include "engine/engine.h"
#include "server/json_io.h"

namespace qwenrt::server {

enum class Endpoint { kChat, kCompletions };

struct RequestLimits {
  int64_t max_tokens = 0;       // largest max_tokens accepted; 0: the context size
  int32_t max_n = 16;
  int32_t max_top_logprobs = 20;
  size_t max_stop_strings = 16;
  size_t max_stop_bytes = 256;
};

struct GenerationSettings {
  // sampling, max_tokens, stop, ignore_eos, top_logprobs; the caller adds prompt and grammar.
  SequenceParams sequence;
  int32_t n = 1;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool logprobs = false;

  // The parameters of choice `index`: a seeded request gives each choice its own seed, so
  // n > 1 returns n different samples that still repeat from run to run.
  SequenceParams for_choice(int32_t index) const;
};

// Throws ApiError 400 naming the field for a wrong type or value.
GenerationSettings parse_generation_settings(const Json& body, Endpoint endpoint,
                                             const SamplingParams& defaults, int64_t context_size,
                                             const RequestLimits& limits);

}  // namespace qwenrt::server
