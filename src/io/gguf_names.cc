#include "io/gguf_names.h"

namespace qwenrt {
namespace {

constexpr std::string_view kLayer = "{N}";

// Splits "<base>.weight" / "<base>.bias" into base and suffix; false for other endings.
bool split_suffix(std::string_view name, std::string_view* base, std::string_view* suffix) {
  for (std::string_view s : {std::string_view(".weight"), std::string_view(".bias")}) {
    if (name.size() > s.size() && name.substr(name.size() - s.size()) == s) {
      *base = name.substr(0, name.size() - s.size());
      *suffix = s;
      return true;
    }
  }
  return false;
}

// Matches `base` against `pattern` (at most one {N}); on success `layer` holds the
// digits {N} stood for (empty if the pattern has none).
bool match(std::string_view pattern, std::string_view base, std::string_view* layer) {
  const size_t at = pattern.find(kLayer);
  if (at == std::string_view::npos) {
    *layer = {};
    return pattern == base;
  }
  const std::string_view head = pattern.substr(0, at), tail = pattern.substr(at + kLayer.size());
  if (base.size() <= head.size() + tail.size() || base.substr(0, head.size()) != head ||
      base.substr(base.size() - tail.size()) != tail) {
    return false;
  }
  const std::string_view digits = base.substr(head.size(), base.size() - head.size() - tail.size());
  // Canonical decimal only ("0", "12"; not "012" or "+1"), short enough for an int.
  if (digits.size() > 9 || (digits.size() > 1 && digits[0] == '0')) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  *layer = digits;
  return true;
}

std::string fill(std::string_view pattern, std::string_view layer) {
  std::string out(pattern);
  const size_t at = out.find(kLayer);
  if (at != std::string::npos) out.replace(at, kLayer.size(), layer);
  return out;
}

std::optional<std::string> translate(std::string_view name, bool from_gguf) {
  std::string_view base, suffix;
  if (!split_suffix(name, &base, &suffix)) return std::nullopt;
  for (const GgufNameRow& row : gguf_name_table()) {
    const std::string_view from = from_gguf ? row.gguf : row.hf, to = from_gguf ? row.hf : row.gguf;
    std::string_view layer;
    if (match(from, base, &layer)) return fill(to, layer) + std::string(suffix);
  }
  return std::nullopt;
}

}  // namespace

const std::vector<GgufNameRow>& gguf_name_table() {
  static const std::vector<GgufNameRow> table = {
      {"token_embd", "model.embed_tokens"},
      {"output_norm", "model.norm"},
      {"output", "lm_head"},
      {"blk.{N}.attn_norm", "model.layers.{N}.input_layernorm"},
      {"blk.{N}.attn_q", "model.layers.{N}.self_attn.q_proj"},
      {"blk.{N}.attn_k", "model.layers.{N}.self_attn.k_proj"},
      {"blk.{N}.attn_v", "model.layers.{N}.self_attn.v_proj"},
      {"blk.{N}.attn_output", "model.layers.{N}.self_attn.o_proj"},
      {"blk.{N}.attn_q_norm", "model.layers.{N}.self_attn.q_norm"},
      {"blk.{N}.attn_k_norm", "model.layers.{N}.self_attn.k_norm"},
      {"blk.{N}.ffn_norm", "model.layers.{N}.post_attention_layernorm"},
      {"blk.{N}.ffn_gate", "model.layers.{N}.mlp.gate_proj"},
      {"blk.{N}.ffn_up", "model.layers.{N}.mlp.up_proj"},
      {"blk.{N}.ffn_down", "model.layers.{N}.mlp.down_proj"},
      // Mixture of experts (qwen2moe, qwen3moe). A layer's experts are one 3-D tensor
      // [expert, out, in] under the converter's stacked name; Checkpoint splits it.
      {"blk.{N}.ffn_gate_inp", "model.layers.{N}.mlp.gate"},
      {"blk.{N}.ffn_gate_exps", "model.layers.{N}.mlp.experts.gate_proj"},
      {"blk.{N}.ffn_up_exps", "model.layers.{N}.mlp.experts.up_proj"},
      {"blk.{N}.ffn_down_exps", "model.layers.{N}.mlp.experts.down_proj"},
      {"blk.{N}.ffn_gate_inp_shexp", "model.layers.{N}.mlp.shared_expert_gate"},
      {"blk.{N}.ffn_gate_shexp", "model.layers.{N}.mlp.shared_expert.gate_proj"},
      {"blk.{N}.ffn_up_shexp", "model.layers.{N}.mlp.shared_expert.up_proj"},
      {"blk.{N}.ffn_down_shexp", "model.layers.{N}.mlp.shared_expert.down_proj"},
  };
  return table;
}

std::optional<std::string> gguf_to_hf_name(std::string_view gguf_name) { return translate(gguf_name, true); }
std::optional<std::string> hf_to_gguf_name(std::string_view hf_name) { return translate(hf_name, false); }

}  // namespace qwenrt
