// `qwenrt run MODEL_DIR -p TEXT`: streams a completion of the raw prompt to stdout and
// prints prompt and generation speed to stderr.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "engine/generator.h"
#include "engine/model_loader.h"

namespace qwenrt::cli {
namespace {

struct RunOptions {
  std::string model_dir;
  std::string prompt;
  int threads = 0;
  int64_t max_tokens = 256;
  int64_t context_size = 4096;
  SamplingParams sampling;
  // Sampling flags the user gave, each with how it changes the defaults.
  std::vector<std::pair<CLI::Option*, std::function<void(SamplingParams&)>>> overrides;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  int64_t seed = -1;
};

// As transformers' generate(): the checkpoint's generation_config.json decides between
// greedy and sampling and supplies the sampling values; flags given override them.
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

int run_completion(RunOptions& o) {
  ThreadPool pool(o.threads);
  LoadedModel loaded = load_model(o.model_dir, pool);
  const Tokenizer& tokenizer = loaded.tokenizer;
  Generator generator(*loaded.model, tokenizer, loaded.eos_ids, o.context_size);

  GenerationRequest request;
  request.prompt = tokenizer.encode(o.prompt);
  request.sampling = sampling_defaults(loaded.generation);
  for (const auto& [option, apply] : o.overrides) {
    if (option->count() > 0) apply(request.sampling);
  }
  if (o.seed >= 0) request.sampling.seed = static_cast<uint64_t>(o.seed);
  request.max_tokens = o.max_tokens;
  request.stop = o.stop;
  request.ignore_eos = o.ignore_eos;
  std::fputs(o.prompt.c_str(), stdout);
  const GenerationResult r = generator.generate(request, [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
  });
  std::fputc('\n', stdout);
  std::fflush(stdout);
  std::fprintf(stderr, "prompt: %zu tokens in %.3f s (%.2f t/s); generation: %zu tokens in %.3f s"
               " (%.2f t/s); finish: %s\n", request.prompt.size(), r.prompt_seconds,
               request.prompt.size() / std::max(r.prompt_seconds, 1e-9), r.tokens.size(),
               r.generation_seconds, r.tokens.size() / std::max(r.generation_seconds, 1e-9),
               r.finish_reason.c_str());
  return 0;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Complete a prompt, streaming the text");
  cmd->add_option("model", o->model_dir, "Hugging Face checkpoint directory or .gguf file")->required();
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  cmd->add_option("-t,--threads", o->threads, "Threads (default: all cores)");
  cmd->add_option("-n,--max-tokens", o->max_tokens, "Most tokens to generate")->check(CLI::NonNegativeNumber);
  cmd->add_option("-c,--ctx-size", o->context_size, "Context size (prompt + output)")->check(CLI::PositiveNumber);
  auto sampling_flag = [&](const char* name, auto member, const char* help) {
    CLI::Option* opt = cmd->add_option(name, o->sampling.*member, help);
    o->overrides.emplace_back(opt, [o, member](SamplingParams& p) { p.*member = o->sampling.*member; });
  };
  sampling_flag("--temp", &SamplingParams::temperature, "Temperature (0 = greedy; default from generation_config.json)");
  sampling_flag("--top-k", &SamplingParams::top_k, "Top-k (0 = off)");
  sampling_flag("--top-p", &SamplingParams::top_p, "Top-p (1 = off)");
  sampling_flag("--min-p", &SamplingParams::min_p, "Min-p (0 = off)");
  sampling_flag("--repeat-penalty", &SamplingParams::repetition_penalty, "Repetition penalty (1 = off)");
  sampling_flag("--presence-penalty", &SamplingParams::presence_penalty, "Presence penalty");
  sampling_flag("--frequency-penalty", &SamplingParams::frequency_penalty, "Frequency penalty");
  cmd->add_option("-s,--seed", o->seed, "Random seed (same seed, same output)");
  cmd->add_option("--stop", o->stop, "Stop string (repeatable)");
  cmd->add_flag("--ignore-eos", o->ignore_eos, "Keep generating past end-of-sequence");
  return [o] { return run_completion(*o); };
}

}  // namespace qwenrt::cli
