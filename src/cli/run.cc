// `qwenrt run MODEL_DIR -p TEXT`: streams a completion of the raw prompt to stdout and
// prints prompt and generation speed to stderr.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/model_argument.h"
#include "cli/sampling_flags.h"
#include "engine/generator.h"
#include "engine/model_loader.h"

namespace qwenrt::cli {
namespace {

struct RunOptions {
  std::string model_dir;
  std::string prompt;
  GenerationFlags generation;
  std::vector<std::string> stop;
  bool ignore_eos = false;
};

int run_completion(RunOptions& o) {
  ThreadPool pool(o.generation.threads);
  LoadedModel loaded = load_model(local_model_path(o.model_dir), pool);
  const Tokenizer& tokenizer = loaded.tokenizer;
  Generator generator(*loaded.model, tokenizer, loaded.eos_ids, o.generation.context_size);

  GenerationRequest request;
  request.prompt = tokenizer.encode(o.prompt);
  request.sampling = o.generation.sampling_for(loaded.generation);
  request.max_tokens = o.generation.max_tokens;
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
  cmd->add_option("model", o->model_dir, "Checkpoint directory, .gguf file or hub reference (org/name[:quant])")->required();
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  add_generation_flags(*cmd, o->generation);
  cmd->add_option("--stop", o->stop, "Stop string (repeatable)");
  cmd->add_flag("--ignore-eos", o->ignore_eos, "Keep generating past end-of-sequence");
  return [o] { return run_completion(*o); };
}

}  // namespace qwenrt::cli
