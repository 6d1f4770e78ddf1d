#include "engine/model_loader.h"

#include "base/error.h"
#include "io/gguf.h"
#include "io/gguf_config.h"

namespace qwenrt {

Tokenizer tokenizer_from_gguf(const GgufTokenizer& g, const std::string& source) {
  check(g.model == "gpt2", source + ": tokenizer.ggml.model '" + g.model +
                               "' is not supported (Qwen uses byte-level BPE, 'gpt2')");
  check(g.pre == "qwen2" || g.pre.empty(),
        source + ": tokenizer.ggml.pre '" + g.pre + "' is not supported (expected 'qwen2')");
  TokenizerSpec spec;
  spec.source = source;
  spec.vocab_origin = "tokenizer.ggml.tokens";
  spec.merges_origin = "tokenizer.ggml.merges";
  spec.added_tokens_origin = "tokenizer.ggml.token_type";
  for (size_t id = 0; id < g.tokens.size(); ++id) {
    const auto type = g.token_types.empty() ? GgufTokenType::NORMAL
                                            : static_cast<GgufTokenType>(g.token_types[id]);
    const int32_t token_id = static_cast<int32_t>(id);
    switch (type) {
      case GgufTokenType::CONTROL:
        spec.added_tokens.push_back({token_id, g.tokens[id], true, false, false, false, false});
        break;
      case GgufTokenType::USER_DEFINED:
        spec.added_tokens.push_back({token_id, g.tokens[id], false, false, false, false, false});
        break;
      case GgufTokenType::UNUSED:  // vocabulary padding ("[PAD151643]"): no text maps to it
        break;
      default:
        spec.vocab.emplace_back(g.tokens[id], token_id);
    }
  }
  for (size_t i = 0; i < g.merges.size(); ++i) {
    const std::string& m = g.merges[i];
    const size_t space = m.find(' ');
    check(space != std::string::npos && space > 0 && space + 1 < m.size(),
          source + ": tokenizer.ggml.merges[" + std::to_string(i) + "] is not 'left right'");
    spec.merges.emplace_back(m.substr(0, space), m.substr(space + 1));
  }
  spec.pre_tokenizer.push_back({std::string(kQwen2SplitPattern), "tokenizer.ggml.pre"});
  spec.nfc = true;

  TokenizerConfig config;
  auto token_text = [&](const std::optional<int64_t>& id) -> std::optional<std::string> {
    if (!id || *id < 0 || *id >= static_cast<int64_t>(g.tokens.size())) return std::nullopt;
    return g.tokens[static_cast<size_t>(*id)];
  };
  config.bos_token = token_text(g.bos_token_id);
  config.eos_token = token_text(g.eos_token_id);
  config.pad_token = token_text(g.pad_token_id);
  config.add_bos_token = g.add_bos_token.value_or(false);
  config.add_eos_token = g.add_eos_token.value_or(false);
  config.chat_template = g.chat_template.value_or("");
  return Tokenizer(std::move(spec), std::move(config));
}

LoadedModel load_model(const std::string& path, ThreadPool& pool) {
  std::unique_ptr<CausalLM> model = CausalLM::load(path, pool);
  GenerationConfig generation;
  auto tokenizer = [&] {
    if (!is_gguf_file(path)) {
      generation = read_generation_config(path);
      return Tokenizer::from_directory(path);
    }
    const GgufFile gguf = GgufFile::open(path);  // a second mapping of the same pages
    generation = generation_config_from_gguf(gguf.contents());
    return tokenizer_from_gguf(read_gguf_tokenizer(gguf.contents()), path);
  }();
  std::vector<int32_t> eos_ids;
  for (int64_t id : generation.eos_token_ids) eos_ids.push_back(static_cast<int32_t>(id));
  if (eos_ids.empty() && tokenizer.eos_id()) eos_ids.push_back(*tokenizer.eos_id());
  return LoadedModel{std::move(model), std::move(tokenizer), std::move(generation), std::move(eos_ids)};
}

}  // namespace qwenrt
