// `qwenrt pull org/name[@revision][:gguf-file-or-quant]`: downloads a model from the
// Hugging Face hub into its cache (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE, HF_HUB_OFFLINE as
// huggingface_hub reads them) and prints its local path.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/model_argument.h"

namespace qwenrt::cli {
namespace {

struct PullOptions {
  std::string reference;
  std::vector<std::string> include;
};

int pull(const PullOptions& o) {
  const std::optional<ModelReference> ref = parse_model_reference(o.reference);
  check(ref.has_value(), "\"" + o.reference + "\" is not a hub reference: expected org/name[@revision][:gguf-file-or-quant]");
  std::printf("%s\n", pull_to_cache(*ref, o.include).c_str());
  return 0;
}

}  // namespace

std::function<int()> add_pull_command(CLI::App& app) {
  auto o = std::make_shared<PullOptions>();
  CLI::App* cmd = app.add_subcommand("pull", "Download a model from the Hugging Face hub into its cache");
  cmd->add_option("model", o->reference, "org/name[@revision][:gguf-file-or-quant], e.g. Qwen/Qwen2.5-0.5B-Instruct")
      ->required();
  cmd->add_option("--include", o->include,
                  "Download the files matching this glob instead of the model's config, tokenizer and "
                  "safetensors files (repeatable)");
  return [o] { return pull(*o); };
}

}  // namespace qwenrt::cli
