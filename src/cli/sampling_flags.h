// The generation flags `qwenrt run` and `qwenrt chat` share: threads, token limits and
// the sampling knobs. Sampling starts from the checkpoint's generation_config.json, as
// transformers' generate() does; only the flags the user gave override it.
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "io/hf_config.h"
#include "sampling/sampling_params.h"

namespace qwenrt::cli {

struct GenerationFlags {
  int threads = 0;
  int64_t max_tokens = 256;
  int64_t context_size = 4096;
  int64_t seed = -1;
  SamplingParams given;  // the values the sampling flags wrote

  // The checkpoint's sampling defaults with every sampling flag given applied.
  SamplingParams sampling_for(const GenerationConfig& generation) const;

 private:
  friend void add_generation_flags(CLI::App& cmd, GenerationFlags& flags);
  // Each sampling flag, with how it copies its value from `given` into the result.
  std::vector<std::pair<CLI::Option*, std::function<void(const SamplingParams&, SamplingParams&)>>> sampling_;
};

// Registers -t, -n, -c, --temp, --top-k, --top-p, --min-p, the penalties and -s on `cmd`.
// `flags` must outlive the parse (keep it in the command's shared options).
void add_generation_flags(CLI::App& cmd, GenerationFlags& flags);

}  // namespace qwenrt::cli
