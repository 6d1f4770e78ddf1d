#include "io/quantize_mix.h"

#include <cctype>

namespace qwenrt {
namespace {

struct MixInfo {
  QuantMix mix;
  const char* name;
  uint32_t file_type;  // llama_ftype
  DType default_type;
};

constexpr MixInfo kMixes[] = {
    {QuantMix::F32, "f32", 0, DType::F32},         {QuantMix::F16, "f16", 1, DType::F16},
    {QuantMix::BF16, "bf16", 32, DType::BF16},     {QuantMix::Q8_0, "q8_0", 7, DType::Q8_0},
    {QuantMix::Q4_0, "q4_0", 2, DType::Q4_0},      {QuantMix::Q4_1, "q4_1", 3, DType::Q4_1},
    {QuantMix::Q5_0, "q5_0", 8, DType::Q5_0},      {QuantMix::Q5_1, "q5_1", 9, DType::Q5_1},
    {QuantMix::Q4_K_S, "q4_k_s", 14, DType::Q4_K}, {QuantMix::Q4_K_M, "q4_k_m", 15, DType::Q4_K},
    {QuantMix::Q5_K_S, "q5_k_s", 16, DType::Q5_K}, {QuantMix::Q5_K_M, "q5_k_m", 17, DType::Q5_K},
    {QuantMix::Q6_K, "q6_k", 18, DType::Q6_K},
};

const MixInfo& info(QuantMix mix) {
  for (const MixInfo& m : kMixes) {
    if (m.mix == mix) return m;
  }
  return kMixes[0];
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

bool is_quantized_type(DType t) { return dtype_block_elements(t) > 1; }

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third one
// between get more bits.
bool use_more_bits(int64_t i, int64_t n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// The mix's rules for one quantizable tensor (before the row-length fallback).
DType mixed_type(QuantMix mix, const TensorRole& t) {
  const DType base = quant_mix_default_type(mix);
  const bool is_output = t.gguf_name == "output.weight" || (t.tied_embeddings && t.gguf_name == "token_embd.weight");
  if (is_output) {
    if (t.cols % dtype_block_elements(base) != 0) return DType::Q8_0;
    return base == DType::Q8_0 ? DType::Q8_0 : DType::Q6_K;
  }
  if (t.gguf_name == "token_embd.weight") return base;
  const bool k_m = mix == QuantMix::Q4_K_M || mix == QuantMix::Q5_K_M;
  // llama.cpp's bumps for 8-expert models (written for Mixtral, applied to any).
  const bool eight_experts = t.n_experts == 8;
  if (eight_experts && (contains(t.gguf_name, "attn_v.weight") || contains(t.gguf_name, "attn_k.weight"))) {
    return DType::Q8_0;
  }
  if (eight_experts && contains(t.gguf_name, "attn_output.weight") &&
      (mix == QuantMix::Q4_K_S || mix == QuantMix::Q4_K_M)) {
    return DType::Q5_K;
  }
  if (contains(t.gguf_name, "attn_v.weight")) {
    if (k_m && use_more_bits(t.layer, t.n_layers)) return DType::Q6_K;
    if (mix == QuantMix::Q4_K_S && t.layer < 4) return DType::Q5_K;
    return base;
  }
  if (contains(t.gguf_name, "ffn_down")) {
    if (k_m && use_more_bits(t.layer, t.n_layers)) return DType::Q6_K;
    if (mix == QuantMix::Q4_K_S && t.layer < t.n_layers / 8) return DType::Q5_K;
    return base;
  }
  return base;
}

// llama.cpp's tensor_type_fallback for rows that are not whole blocks of `type`.
DType fallback(DType type, int64_t cols) {
  if (cols % dtype_block_elements(type) == 0) return type;
  DType f = DType::F16;
  switch (type) {
    case DType::Q4_K: f = DType::Q5_0; break;
    case DType::Q5_K: f = DType::Q5_1; break;
    case DType::Q6_K: f = DType::Q8_0; break;
    default: break;
  }
  return cols % dtype_block_elements(f) == 0 ? f : DType::F16;
}

}  // namespace

std::optional<QuantMix> parse_quant_mix(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const MixInfo& m : kMixes) {
    if (lower == m.name) return m.mix;
  }
  return std::nullopt;
}

const char* quant_mix_name(QuantMix mix) { return info(mix).name; }

std::string quant_mix_names() {
  std::string out;
  for (const MixInfo& m : kMixes) out += (out.empty() ? "" : "|") + std::string(m.name);
  return out;
}

uint32_t quant_mix_file_type(QuantMix mix) { return info(mix).file_type; }
DType quant_mix_default_type(QuantMix mix) { return info(mix).default_type; }

int64_t gguf_layer_of(const std::string& gguf_name) {
  if (gguf_name.rfind("blk.", 0) != 0) return -1;
  const size_t dot = gguf_name.find('.', 4);
  if (dot == std::string::npos || dot == 4 || dot > 13) return -1;
  int64_t layer = 0;
  for (size_t i = 4; i < dot; ++i) {
    if (gguf_name[i] < '0' || gguf_name[i] > '9') return -1;
    layer = layer * 10 + (gguf_name[i] - '0');
  }
  return layer;
}

TensorRole tensor_role(const std::string& gguf_name, const std::vector<int64_t>& shape, int64_t n_layers,
                       int64_t n_experts, bool tied_embeddings) {
  TensorRole role;
  role.gguf_name = gguf_name;
  role.cols = shape.empty() ? 1 : shape.back();
  role.rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) role.rows *= shape[i];
  // ggml_n_dims: the outermost dimensions of size 1 do not count.
  role.n_dims = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] != 1) {
      role.n_dims = static_cast<int>(shape.size() - i);
      break;
    }
  }
  role.layer = gguf_layer_of(gguf_name);
  role.n_layers = n_layers;
  role.n_experts = n_experts;
  role.tied_embeddings = tied_embeddings;
  return role;
}

bool is_quantizable(const TensorRole& t) {
  const std::string& n = t.gguf_name;
  const bool ends_with_weight = n.size() >= 6 && n.compare(n.size() - 6, 6, "weight") == 0;
  return t.n_dims >= 2 && ends_with_weight && !contains(n, "_norm.weight") && !contains(n, "ffn_gate_inp.weight");
}

DType choose_tensor_type(QuantMix mix, const TensorRole& t, DType source) {
  if (!is_quantizable(t)) {
    // Kept as they are; what is not a GGUF float type becomes F32.
    return source == DType::F16 || source == DType::BF16 || source == DType::F32 ? source : DType::F32;
  }
  const DType base = quant_mix_default_type(mix);
  if (!is_quantized_type(base)) return base;  // f32 / f16 / bf16: every weight in that type
  return fallback(mixed_type(mix, t), t.cols);
}

}  // namespace qwenrt
