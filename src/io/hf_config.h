// A Hugging Face model's config.json and generation_config.json, read as transformers
// 5.x reads them for Qwen2/Qwen3 (Qwen2Config, Qwen3Config, GenerationConfig): the same
// keys, the same defaults when a key is absent, the same resolution of legacy keys.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt {

// Rotary embedding parameters. transformers takes them from "rope_scaling" when that is
// set, else from "rope_parameters"; "rope_theta" at top level fills in a missing theta.
struct RopeConfig {
  std::string type = "default";  // "rope_type" (or legacy "type"); the model rejects ones it lacks
  double theta = 10000.0;
  std::optional<double> factor;
  std::optional<int64_t> original_max_position_embeddings;  // set for yarn/llama3/longrope
  std::optional<double> attention_factor;                   // yarn
  std::optional<double> beta_fast;                          // yarn
  std::optional<double> beta_slow;                          // yarn
  std::optional<double> partial_rotary_factor;
  std::vector<int64_t> mrope_section;  // Qwen2-VL multimodal RoPE
};

struct ModelConfig {
  std::string source;        // path of the config.json it came from, for messages
  std::string architecture;  // architectures[0]; empty when absent
  std::string model_type;    // required: "qwen2", "qwen3", ...

  // Defaults below are transformers' when the key is absent (Qwen2Config/Qwen3Config).
  int64_t vocab_size = 151936;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 22016;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;  // absent: 32; null: num_attention_heads (transformers)
  int64_t head_dim = 0;              // absent: 128 for qwen3*, hidden_size / heads otherwise
  int64_t max_position_embeddings = 32768;
  std::string hidden_act = "silu";
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = false;

  bool attention_bias = false;  // the raw key; Qwen3 uses it, Qwen2's modeling ignores it
  bool qkv_bias = false;        // resolved as the modeling file builds q/k/v_proj
  bool o_bias = false;          // resolved as the modeling file builds o_proj

  std::string torch_dtype;  // "dtype" (5.x) or "torch_dtype" (4.x), e.g. "bfloat16"; empty when absent
  RopeConfig rope;

  bool use_sliding_window = false;
  std::optional<int64_t> sliding_window;  // unset unless use_sliding_window, as transformers does
  int64_t max_window_layers = 28;
  // "full_attention" or "sliding_attention" per layer; from the file or derived as transformers does.
  std::vector<std::string> layer_types;

  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;
  std::vector<int64_t> eos_token_ids;  // "eos_token_id": an int or a list; empty when absent

  // Mixture of experts (qwen2_moe, qwen3_moe; Qwen2MoeConfig / Qwen3MoeConfig). The keys
  // are read for those model types only; num_experts stays 0 for dense models.
  int64_t num_experts = 0;  // qwen3_moe also as "num_local_experts", its attribute_map's name
  int64_t num_experts_per_tok = 0;
  int64_t moe_intermediate_size = 0;
  int64_t shared_expert_intermediate_size = 0;  // qwen2_moe's gated always-on expert
  bool norm_topk_prob = false;
  int64_t decoder_sparse_step = 1;
  std::vector<int64_t> mlp_only_layers;

  // Whether `layer` attends within a sliding window (its layer type says so and a window is set).
  bool is_sliding_layer(int64_t layer) const;
  // Whether `layer`'s MLP is a mixture of experts, as the MoE decoder layers decide it.
  bool is_moe_layer(int64_t layer) const;
};

// Parses config.json text; `source` names it in errors. Throws Error naming the source
// and the JSON key on a missing model_type, a wrong type, a non-positive size, heads not
// divisible by key/value heads, and similar.
ModelConfig parse_model_config(std::string_view json_text, const std::string& source);
// Reads <model_dir>/config.json.
ModelConfig read_model_config(const std::string& model_dir);

// Sampling defaults a checkpoint ships. transformers leaves every unset key None, so
// each is optional here: the caller decides what an unset one means.
struct GenerationConfig {
  std::vector<int64_t> eos_token_ids;  // an int or a list in the file; empty when absent
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;
  std::optional<bool> do_sample;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  std::optional<double> min_p;
  std::optional<double> repetition_penalty;
};

// Parses generation_config.json text; `source` names it in errors.
GenerationConfig parse_generation_config(std::string_view json_text, const std::string& source);
// Reads <model_dir>/generation_config.json; the file is optional (absent: all unset).
GenerationConfig read_generation_config(const std::string& model_dir);

}  // namespace qwenrt
