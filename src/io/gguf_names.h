// GGUF tensor names <-> Hugging Face weight names, for the architectures qwenrt runs
// from GGUF (qwen2, qwen3, qwen2moe, qwen3moe). One row per tensor kind, as llama.cpp's LLM_TENSOR_NAMES
// (src/llama-arch.cpp) and gguf-py's TensorNameMap list them; the ".weight" / ".bias"
// suffix carries over unchanged. Names are mapped once, at load (DESIGN.md principle 2).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt {

struct GgufNameRow {
  const char* gguf;  // "blk.{N}.attn_q": {N} is the layer index
  const char* hf;    // "model.layers.{N}.self_attn.q_proj"
};

// The table itself (qwen2 and qwen3 share it; qwen3 adds attn_q_norm / attn_k_norm).
const std::vector<GgufNameRow>& gguf_name_table();

// "blk.3.attn_q.bias" -> "model.layers.3.self_attn.q_proj.bias"; nullopt if the name
// matches no row (the caller keeps such tensors under their GGUF name). Layer indices are
// decimal without leading zeros, so the mapping is one-to-one.
std::optional<std::string> gguf_to_hf_name(std::string_view gguf_name);
// The inverse: "lm_head.weight" -> "output.weight"; nullopt if no row matches.
std::optional<std::string> hf_to_gguf_name(std::string_view hf_name);

}  // namespace qwenrt
