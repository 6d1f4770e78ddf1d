#include "model/decoder_weights.h"

#include <type_traits>

#include "base/error.h"
#include "kernels/cpu/ops.h"

namespace qwenrt {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  TensorView v;
  v.shape = s;
  return v.shape_string();
}

const TensorView& expect_tensor(const Checkpoint& ckpt, const std::string& name,
                                const std::vector<int64_t>& shape) {
  const TensorView* t = ckpt.find(name);
  check(t != nullptr, "checkpoint " + ckpt.dir() + " has no tensor " + name);
  check(t->shape == shape, "tensor " + name + " in " + ckpt.file_of(name) + " has shape " +
                               t->shape_string() + " but config.json implies " + shape_str(shape));
  check(t->dtype != DType::I32 && t->dtype != DType::I64 && t->dtype != DType::U8,
        "tensor " + name + " has unsupported dtype " + dtype_name(t->dtype));
  return *t;
}

WeightView matrix(const Checkpoint& ckpt, const std::string& name, int64_t rows, int64_t cols) {
  const TensorView& t = expect_tensor(ckpt, name, {rows, cols});
  return WeightView{t.dtype, rows, cols, t.data};
}

// A linear layer's weight: stored as is, or packed AWQ/GPTQ (base.qweight, ...) and
// converted here into a buffer `w` keeps.
WeightView linear(const Checkpoint& ckpt, const std::optional<PackedQuantConfig>& quant,
                  const std::string& base, int64_t rows, int64_t cols, DecoderWeights& w,
                  ThreadPool& pool) {
  if (!has_packed_weight(ckpt, base)) return matrix(ckpt, base + ".weight", rows, cols);
  check(quant.has_value(), "tensor " + base + ".qweight in " + ckpt.file_of(base + ".qweight") +
                               " is packed (AWQ/GPTQ), but config.json has no quantization_config saying how");
  w.converted.push_back(
      std::make_unique<ConvertedWeight>(convert_packed_weight(ckpt, *quant, base, rows, cols, pool)));
  return w.converted.back()->view;
}

// Qwen2-MoE's shared expert gate, nn.Linear(hidden, 1): [1, hidden], or [hidden] where a
// GGUF file stores it as llama.cpp declares it.
WeightView shared_expert_gate(const Checkpoint& ckpt, const std::string& name, int64_t hidden) {
  const TensorView* t = ckpt.find(name);
  const bool flat = t && t->shape.size() == 1;
  const TensorView& v = expect_tensor(ckpt, name, flat ? std::vector<int64_t>{hidden} : std::vector<int64_t>{1, hidden});
  return WeightView{v.dtype, 1, hidden, v.data};
}

// Norm weights and biases are tiny; they are widened to F32 once at load.
std::vector<float> vector_f32(const Checkpoint& ckpt, const std::string& name, int64_t n) {
  const TensorView& t = expect_tensor(ckpt, name, {n});
  std::vector<float> out(static_cast<size_t>(n));
  cpu::dequantize_row(t.dtype, t.data, n, out.data());
  return out;
}

}  // namespace

DecoderWeights bind_decoder_weights(const Checkpoint& ckpt, const ModelShape& s, ThreadPool& pool) {
  DecoderWeights w;
  const std::optional<PackedQuantConfig> quant =
      ckpt.gguf() ? std::nullopt : read_packed_quant_config(ckpt.dir());
  const int64_t q_width = s.n_heads * s.head_dim, kv_width = s.n_kv_heads * s.head_dim;
  w.embed_tokens = matrix(ckpt, "model.embed_tokens.weight", s.vocab, s.hidden);
  for (int64_t i = 0; i < s.n_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    DecoderLayerWeights l;
    l.input_layernorm = vector_f32(ckpt, p + "input_layernorm.weight", s.hidden);
    l.post_attention_layernorm = vector_f32(ckpt, p + "post_attention_layernorm.weight", s.hidden);
    l.q_proj = linear(ckpt, quant, p + "self_attn.q_proj", q_width, s.hidden, w, pool);
    l.k_proj = linear(ckpt, quant, p + "self_attn.k_proj", kv_width, s.hidden, w, pool);
    l.v_proj = linear(ckpt, quant, p + "self_attn.v_proj", kv_width, s.hidden, w, pool);
    l.o_proj = linear(ckpt, quant, p + "self_attn.o_proj", s.hidden, q_width, w, pool);
    if (s.qkv_bias) {
      l.q_bias = vector_f32(ckpt, p + "self_attn.q_proj.bias", q_width);
      l.k_bias = vector_f32(ckpt, p + "self_attn.k_proj.bias", kv_width);
      l.v_bias = vector_f32(ckpt, p + "self_attn.v_proj.bias", kv_width);
    }
    if (s.qk_norm) {
      l.q_norm = vector_f32(ckpt, p + "self_attn.q_norm.weight", s.head_dim);
      l.k_norm = vector_f32(ckpt, p + "self_attn.k_norm.weight", s.head_dim);
    }
    auto mlp = [&](const std::string& base, int64_t width) {
      return DecoderLayerWeights::Mlp{linear(ckpt, quant, base + ".gate_proj", width, s.hidden, w, pool),
                                      linear(ckpt, quant, base + ".up_proj", width, s.hidden, w, pool),
                                      linear(ckpt, quant, base + ".down_proj", s.hidden, width, w, pool)};
    };
    if (!s.is_moe_layer(i)) {
      l.mlp = mlp(p + "mlp", s.intermediate);
    } else {
      l.router = matrix(ckpt, p + "mlp.gate.weight", s.n_experts, s.hidden);
      for (int64_t e = 0; e < s.n_experts; ++e) {
        l.experts.push_back(mlp(p + "mlp.experts." + std::to_string(e), s.expert_intermediate));
      }
      if (s.shared_expert_intermediate > 0) {
        l.shared_expert = mlp(p + "mlp.shared_expert", s.shared_expert_intermediate);
        l.shared_expert_gate = shared_expert_gate(ckpt, p + "mlp.shared_expert_gate.weight", s.hidden);
      }
    }
    w.layers.push_back(std::move(l));
  }
  w.norm = vector_f32(ckpt, "model.norm.weight", s.hidden);
  // As in transformers' tie_weights(): when tied, the embedding is the head even if the
  // file also carries an lm_head.weight.
  w.lm_head = s.tied_embeddings ? w.embed_tokens : matrix(ckpt, "lm_head.weight", s.vocab, s.hidden);
  return w;
}

namespace {

// The layer's matrices, const or not as the layer is.
template <typename Layer>
auto matrices_of(Layer& l) {
  using View = std::conditional_t<std::is_const_v<Layer>, const WeightView, WeightView>;
  std::vector<View*> out = {&l.q_proj, &l.k_proj, &l.v_proj, &l.o_proj, &l.router, &l.shared_expert_gate};
  for (auto* m : {&l.mlp, &l.shared_expert}) out.insert(out.end(), {&m->gate_proj, &m->up_proj, &m->down_proj});
  for (auto& m : l.experts) out.insert(out.end(), {&m.gate_proj, &m.up_proj, &m.down_proj});
  std::erase_if(out, [](View* m) { return m->data == nullptr; });
  return out;
}

}  // namespace

std::vector<WeightView*> DecoderLayerWeights::matrices() { return matrices_of(*this); }

size_t decoder_weight_bytes_per_token(const DecoderWeights& w, int64_t experts_per_token) {
  auto bytes = [](const WeightView& m) { return m.row_bytes() * static_cast<size_t>(m.rows); };
  size_t total = bytes(w.lm_head) + w.embed_tokens.row_bytes();  // one embedding row
  for (const DecoderLayerWeights& l : w.layers) {
    for (const WeightView* m : matrices_of(l)) total += bytes(*m);
    if (l.experts.empty()) continue;
    // A token runs experts_per_token of the experts: count their average share, not all.
    size_t experts = 0;
    for (const auto& e : l.experts) experts += bytes(e.gate_proj) + bytes(e.up_proj) + bytes(e.down_proj);
    total -= experts;
    total += experts / l.experts.size() * static_cast<size_t>(experts_per_token);
  }
  return total;
}

}  // namespace qwenrt
