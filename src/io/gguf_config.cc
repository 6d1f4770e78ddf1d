#include "io/gguf_config.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace qwenrt {
namespace {

// Per-layer state (layer_types) is allocated from block_count, so a hostile file could ask
// for billions of layers; the largest Qwen has 94. Far above any real model, far below harm.
constexpr int64_t kMaxLayers = 1 << 16;

std::string where(const GgufContents& g, std::string_view key, const GgufValue& v) {
  return g.source + ": metadata key \"" + std::string(key) + "\" (byte " + std::to_string(v.offset) + ")";
}

std::string quote(std::string_view s) {
  using nlohmann::json;
  constexpr size_t kMax = 120;
  std::string text = json(std::string(s.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > kMax ? text + "..." : text;
}

// Reads everything one architecture's keys need: the "{arch}." prefix and the contents.
class Keys {
 public:
  Keys(const GgufContents& g, std::string arch) : g_(g), prefix_(std::move(arch) + ".") {}

  std::string key(std::string_view suffix) const { return prefix_ + std::string(suffix); }
  std::optional<int64_t> opt_int(std::string_view suffix) const { return gguf_int(g_, key(suffix)); }
  std::optional<double> opt_float(std::string_view suffix) const { return gguf_float(g_, key(suffix)); }

  // A required positive integer, as every size is.
  int64_t size(std::string_view suffix) const {
    const std::optional<int64_t> v = opt_int(suffix);
    check(v.has_value(), g_.source + ": metadata key \"" + key(suffix) + "\" is missing");
    check_positive(suffix, *v);
    return *v;
  }
  // `v` came from key `suffix`, or was derived from others when that key is absent.
  void check_positive(std::string_view suffix, int64_t v) const {
    if (v > 0) return;
    const GgufValue* raw = g_.find(key(suffix));
    throw Error((raw ? where(g_, key(suffix), *raw) : g_.source + ": \"" + key(suffix) + "\" (absent; derived)") +
                " must be positive, got " + std::to_string(v));
  }

 private:
  const GgufContents& g_;
  std::string prefix_;
};

// Rows of a 2-D tensor (GGUF ne[1]), if the tensor exists.
std::optional<int64_t> tensor_rows(const GgufContents& g, std::string_view name) {
  const GgufTensorInfo* t = g.find_tensor(name);
  if (!t || t->dims.size() != 2) return std::nullopt;
  return static_cast<int64_t>(t->dims[1]);
}

void read_rope(const GgufContents& g, const Keys& k, ModelConfig* c) {
  c->rope.theta = k.opt_float("rope.freq_base").value_or(10000.0);
  check(std::isfinite(c->rope.theta) && c->rope.theta > 0,
        g.source + ": metadata key \"" + k.key("rope.freq_base") + "\" must be a positive number");
  const std::optional<std::string> scaling = gguf_string(g, k.key("rope.scaling.type"));
  if (scaling && *scaling != "none") {
    c->rope.type = *scaling;  // "linear", "yarn", ...: the model accepts or refuses it by name
    c->rope.factor = k.opt_float("rope.scaling.factor");
    c->rope.original_max_position_embeddings = k.opt_int("rope.scaling.original_context_length");
  }
  if (const std::optional<int64_t> dims = k.opt_int("rope.dimension_count"); dims && *dims != c->head_dim) {
    k.check_positive("rope.dimension_count", *dims);
    c->rope.partial_rotary_factor = static_cast<double>(*dims) / static_cast<double>(c->head_dim);
  }
}

}  // namespace

std::optional<int64_t> gguf_int(const GgufContents& g, std::string_view key) {
  const GgufValue* v = g.find(key);
  if (!v) return std::nullopt;
  const std::optional<int64_t> i = v->as_int();
  check(i.has_value(), where(g, key, *v) + " must be an integer that fits in 64 bits, got " +
                           (v->type == GgufType::UINT64 ? "u64 " + std::to_string(v->bits) : v->type_string()));
  return i;
}

std::optional<double> gguf_float(const GgufContents& g, std::string_view key) {
  const GgufValue* v = g.find(key);
  if (!v) return std::nullopt;
  if (std::optional<double> f = v->as_float()) return f;
  if (std::optional<int64_t> i = v->as_int()) return static_cast<double>(*i);
  throw Error(where(g, key, *v) + " must be a number, got " + v->type_string());
}

std::optional<bool> gguf_bool(const GgufContents& g, std::string_view key) {
  const GgufValue* v = g.find(key);
  if (!v) return std::nullopt;
  check(v->type == GgufType::BOOL, where(g, key, *v) + " must be a bool, got " + v->type_string());
  return v->bits != 0;
}

std::optional<std::string> gguf_string(const GgufContents& g, std::string_view key) {
  const GgufValue* v = g.find(key);
  if (!v) return std::nullopt;
  check(v->type == GgufType::STRING, where(g, key, *v) + " must be a string, got " + v->type_string());
  return v->string;
}

// llama.cpp's expert keys; which layers have experts, from their router tensors.
void read_experts(const GgufContents& g, const Keys& k, ModelConfig* c) {
  c->num_experts = k.size("expert_count");
  check(c->num_experts <= 4096, g.source + ": " + k.key("expert_count") + " is above 4096");
  c->num_experts_per_tok = k.size("expert_used_count");
  check(c->num_experts_per_tok <= c->num_experts, g.source + ": " + k.key("expert_used_count") +
                                                      " is more than the " + std::to_string(c->num_experts) + " experts");
  c->moe_intermediate_size = k.size("expert_feed_forward_length");
  if (c->model_type == "qwen2_moe") c->shared_expert_intermediate_size = k.size("expert_shared_feed_forward_length");
  // llama.cpp renormalises the chosen experts' weights for qwen3moe, not for qwen2moe.
  c->norm_topk_prob = gguf_bool(g, k.key("expert_weights_norm")).value_or(c->model_type == "qwen3_moe");
  for (int64_t i = 0; i < c->num_hidden_layers; ++i) {
    if (!g.find_tensor("blk." + std::to_string(i) + ".ffn_gate_inp.weight")) c->mlp_only_layers.push_back(i);
  }
}

ModelConfig model_config_from_gguf(const GgufContents& g) {
  ModelConfig c;
  c.source = g.source;
  const std::optional<std::string> arch = gguf_string(g, "general.architecture");
  check(arch.has_value(), g.source + ": metadata key \"general.architecture\" is missing");
  static const std::map<std::string, std::pair<const char*, const char*>, std::less<>> kArchitectures = {
      {"qwen2", {"Qwen2ForCausalLM", "qwen2"}},
      {"qwen3", {"Qwen3ForCausalLM", "qwen3"}},
      {"qwen2moe", {"Qwen2MoeForCausalLM", "qwen2_moe"}},
      {"qwen3moe", {"Qwen3MoeForCausalLM", "qwen3_moe"}},
  };
  const auto known = kArchitectures.find(*arch);
  check(known != kArchitectures.end(), g.source + ": architecture " + quote(*arch) +
                                           " (general.architecture) is not supported (supported: qwen2, qwen3, "
                                           "qwen2moe, qwen3moe)");
  c.architecture = known->second.first;
  c.model_type = known->second.second;
  const Keys k(g, *arch);

  c.num_hidden_layers = k.size("block_count");
  check(c.num_hidden_layers <= kMaxLayers, g.source + ": " + k.key("block_count") + " is " +
                                               std::to_string(c.num_hidden_layers) + ", more layers than qwenrt accepts (" +
                                               std::to_string(kMaxLayers) + ")");
  c.hidden_size = k.size("embedding_length");
  c.intermediate_size = k.size("feed_forward_length");
  c.num_attention_heads = k.size("attention.head_count");
  c.max_position_embeddings = k.size("context_length");
  // llama.cpp: no head_count_kv means no grouping.
  c.num_key_value_heads = k.opt_int("attention.head_count_kv").value_or(c.num_attention_heads);
  k.check_positive("attention.head_count_kv", c.num_key_value_heads);
  check(c.num_attention_heads % c.num_key_value_heads == 0,
        g.source + ": " + k.key("attention.head_count_kv") + " (" + std::to_string(c.num_key_value_heads) +
            ") must divide " + k.key("attention.head_count") + " (" + std::to_string(c.num_attention_heads) + ")");
  c.head_dim = k.opt_int("attention.key_length").value_or(c.hidden_size / c.num_attention_heads);
  k.check_positive("attention.key_length", c.head_dim);
  if (const std::optional<int64_t> v = k.opt_int("attention.value_length")) {
    check(*v == c.head_dim, g.source + ": " + k.key("attention.value_length") + " (" + std::to_string(*v) +
                                ") differs from the head dimension " + std::to_string(c.head_dim) +
                                "; Qwen models use one head_dim for keys and values");
  }
  check(c.head_dim % 2 == 0, g.source + ": the head dimension " + std::to_string(c.head_dim) +
                                 " must be even for rotary embeddings");

  const std::optional<double> eps = k.opt_float("attention.layer_norm_rms_epsilon");
  check(eps.has_value(), g.source + ": metadata key \"" + k.key("attention.layer_norm_rms_epsilon") + "\" is missing");
  check(std::isfinite(*eps) && *eps > 0, g.source + ": \"" + k.key("attention.layer_norm_rms_epsilon") +
                                             "\" must be a positive number");
  c.rms_norm_eps = *eps;
  read_rope(g, k, &c);

  // The vocabulary: llama.cpp sizes it by the token list; the embedding must agree.
  const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
  const std::optional<int64_t> embed_rows = tensor_rows(g, "token_embd.weight");
  if (tokens && tokens->is_array() && tokens->element_type == GgufType::STRING) {
    c.vocab_size = static_cast<int64_t>(tokens->size());
  } else if (std::optional<int64_t> v = k.opt_int("vocab_size")) {
    c.vocab_size = *v;
  } else {
    check(embed_rows.has_value(), g.source + ": cannot tell the vocabulary size: no tokenizer.ggml.tokens, no " +
                                      k.key("vocab_size") + " and no 2-D token_embd.weight");
    c.vocab_size = *embed_rows;
  }
  check(c.vocab_size > 0, g.source + ": the vocabulary is empty");
  check(!embed_rows || *embed_rows == c.vocab_size,
        g.source + ": token_embd.weight has " + std::to_string(embed_rows.value_or(0)) + " rows but the vocabulary has " +
            std::to_string(c.vocab_size) + " tokens");

  c.tie_word_embeddings = g.find_tensor("output.weight") == nullptr;
  c.attention_bias = g.find_tensor("blk.0.attn_q.bias") != nullptr;
  if (*arch == "qwen2moe" || *arch == "qwen3moe") read_experts(g, k, &c);
  if (*arch == "qwen2") {
    c.attention_bias = false;  // Qwen2Config has no such key; its modeling file hard-codes the biases
    c.qkv_bias = true;
    c.o_bias = false;
  } else if (*arch == "qwen2moe") {
    c.qkv_bias = c.attention_bias;  // Qwen2MoeConfig's qkv_bias; o_proj never has one
    c.attention_bias = c.o_bias = false;
  } else {
    c.qkv_bias = c.o_bias = c.attention_bias;
  }
  c.layer_types.assign(static_cast<size_t>(c.num_hidden_layers), "full_attention");

  c.bos_token_id = gguf_int(g, "tokenizer.ggml.bos_token_id");
  c.pad_token_id = gguf_int(g, "tokenizer.ggml.padding_token_id");
  if (std::optional<int64_t> eos = gguf_int(g, "tokenizer.ggml.eos_token_id")) c.eos_token_ids = {*eos};
  for (const auto& [key, id] : {std::pair<const char*, std::optional<int64_t>>{"bos_token_id", c.bos_token_id},
                                {"padding_token_id", c.pad_token_id},
                                {"eos_token_id", c.eos_token_ids.empty() ? std::nullopt
                                                                         : std::optional(c.eos_token_ids[0])}}) {
    check(!id || (*id >= 0 && *id < c.vocab_size), g.source + ": tokenizer.ggml." + key + " " +
                                                        std::to_string(id.value_or(0)) + " is outside the " +
                                                        std::to_string(c.vocab_size) + "-token vocabulary");
  }
  return c;
}

GenerationConfig generation_config_from_gguf(const GgufContents& g) {
  GenerationConfig c;
  for (const char* key : {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
    const std::optional<int64_t> id = gguf_int(g, key);
    if (id && std::find(c.eos_token_ids.begin(), c.eos_token_ids.end(), *id) == c.eos_token_ids.end()) {
      c.eos_token_ids.push_back(*id);
    }
  }
  c.bos_token_id = gguf_int(g, "tokenizer.ggml.bos_token_id");
  c.pad_token_id = gguf_int(g, "tokenizer.ggml.padding_token_id");
  c.top_k = gguf_int(g, "general.sampling.top_k");
  c.top_p = gguf_float(g, "general.sampling.top_p");
  c.min_p = gguf_float(g, "general.sampling.min_p");
  c.temperature = gguf_float(g, "general.sampling.temp");
  c.repetition_penalty = gguf_float(g, "general.sampling.penalty_repeat");
  return c;
}

}  // namespace qwenrt
