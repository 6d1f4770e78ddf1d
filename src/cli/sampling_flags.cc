#include "cli/sampling_flags.h"

namespace qwenrt::cli {
namespace {

// As transformers' generate(): the checkpoint's generation_config.json decides between
// greedy and sampling and supplies the sampling values.
SamplingParams sampling_defaults(const GenerationConfig& g) {
  SamplingParams p;
  if (!g.do_sample.value_or(false)) {
    p.temperature = 0.0f;
  } else {
    p.temperature = static_cast<float>(g.temperature.value_or(1.0));
    p.top_p = static_cast<float>(g.top_p.value_or(1.0));
    p.top_k = static_cast<int32_t>(g.top_k.value_or(0));
    p.min_p = static_cast<float>(g.min_p.value_or(0.0));
  }
  p.repetition_penalty = static_cast<float>(g.repetition_penalty.value_or(1.0));
  return p;
}

}  // namespace

SamplingParams GenerationFlags::sampling_for(const GenerationConfig& generation) const {
  SamplingParams p = sampling_defaults(generation);
  for (const auto& [option, apply] : sampling_) {
    if (option->count() > 0) apply(given, p);
  }
  if (seed >= 0) p.seed = static_cast<uint64_t>(seed);
  return p;
}

void add_generation_flags(CLI::App& cmd, GenerationFlags& f) {
  cmd.add_option("-t,--threads", f.threads, "Threads (default: all cores)");
  cmd.add_option("-n,--max-tokens", f.max_tokens, "Most tokens to generate")->check(CLI::NonNegativeNumber);
  cmd.add_option("-c,--ctx-size", f.context_size, "Context size (prompt + output)")->check(CLI::PositiveNumber);
  auto sampling_flag = [&](const char* name, auto member, const char* help) {
    CLI::Option* opt = cmd.add_option(name, f.given.*member, help);
    f.sampling_.emplace_back(opt, [member](const SamplingParams& from, SamplingParams& to) {
      to.*member = from.*member;
    });
  };
  sampling_flag("--temp", &SamplingParams::temperature, "Temperature (0 = greedy; default from generation_config.json)");
  sampling_flag("--top-k", &SamplingParams::top_k, "Top-k (0 = off)");
  sampling_flag("--top-p", &SamplingParams::top_p, "Top-p (1 = off)");
  sampling_flag("--min-p", &SamplingParams::min_p, "Min-p (0 = off)");
  sampling_flag("--repeat-penalty", &SamplingParams::repetition_penalty, "Repetition penalty (1 = off)");
  sampling_flag("--presence-penalty", &SamplingParams::presence_penalty, "Presence penalty");
  sampling_flag("--frequency-penalty", &SamplingParams::frequency_penalty, "Frequency penalty");
  cmd.add_option("-s,--seed", f.seed, "Random seed (same seed, same output)");
}

}  // namespace qwenrt::cli
