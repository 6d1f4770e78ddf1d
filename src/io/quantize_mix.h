// Which tensor type each weight gets for a quantization "mix" (`qwenrt quantize --type`),
// as llama.cpp's llama-quantize chooses it without an importance matrix
// (llama_tensor_get_type in src/llama-quant.cpp): for Q4_K_M, output.weight (or the tied
// token embedding) and half the layers' attn_v / ffn_down (stacked experts too) get Q6_K;
// an 8-expert model gets Q8_0 attn_k / attn_v (and Q5_K attn_output under Q4_K_*); rows that are not
// whole blocks fall back to a type they are (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0,
// else F16); norms and biases (1-D) stay F32.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/dtype.h"

namespace qwenrt {

enum class QuantMix { F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K };

// "q4_k_m" -> Q4_K_M (case-insensitive); nullopt for unknown names.
std::optional<QuantMix> parse_quant_mix(std::string_view name);
// "q4_k_m", as parse_quant_mix accepts it.
const char* quant_mix_name(QuantMix mix);
// Every name parse_quant_mix accepts, "|"-separated, for help and error messages.
std::string quant_mix_names();
// llama.cpp's llama_ftype number, stored as general.file_type.
uint32_t quant_mix_file_type(QuantMix mix);
// The type most weights get.
DType quant_mix_default_type(QuantMix mix);

// What the choice depends on, besides the mix.
struct TensorRole {
  std::string gguf_name;  // "blk.3.ffn_down.weight", "output.weight", ...
  int64_t rows = 0;       // 1-D tensors: rows == 1
  int64_t cols = 0;       // ne[0]: the row length
  int n_dims = 2;
  int64_t layer = -1;     // blk.N's N; -1 outside the layers
  int64_t n_layers = 0;
  bool tied_embeddings = false;  // no output.weight: token_embd doubles as the output
  int64_t n_experts = 0;         // the model's expert_count (0: dense)
};

// "blk.12.attn_v.weight" -> 12; -1 outside the layers.
int64_t gguf_layer_of(const std::string& gguf_name);

// The role of tensor `gguf_name` of row-major `shape` (outermost first) in a model of
// n_layers layers and n_experts experts; n_dims counts dimensions as ggml does (trailing
// 1s dropped, so a [1, hidden] gate is 1-D).
TensorRole tensor_role(const std::string& gguf_name, const std::vector<int64_t>& shape, int64_t n_layers,
                       int64_t n_experts, bool tied_embeddings);

// True for the tensors llama-quantize quantizes: 2-D (or more) names ending in "weight"
// that are not norms or an MoE router (ffn_gate_inp).
bool is_quantizable(const TensorRole& t);

// The type `t` is written as under `mix`. Quantizable tensors follow the mix; others keep
// `source` when it is a floating type GGUF holds (F32 for 1-D tensors read from a Hugging
// Face checkpoint, as convert_hf_to_gguf.py writes them).
DType choose_tensor_type(QuantMix mix, const TensorRole& t, DType source);

}  // namespace qwenrt
