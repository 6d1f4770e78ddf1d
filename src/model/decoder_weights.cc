#include "model/decoder_weights.h"

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
    l.gate_proj = linear(ckpt, quant, p + "mlp.gate_proj", s.intermediate, s.hidden, w, pool);
    l.up_proj = linear(ckpt, quant, p + "mlp.up_proj", s.intermediate, s.hidden, w, pool);
    l.down_proj = linear(ckpt, quant, p + "mlp.down_proj", s.hidden, s.intermediate, w, pool);
    w.layers.push_back(std::move(l));
  }
  w.norm = vector_f32(ckpt, "model.norm.weight", s.hidden);
  // As in transformers' tie_weights(): when tied, the embedding is the head even if the
  // file also carries an lm_head.weight.
  w.lm_head = s.tied_embeddings ? w.embed_tokens : matrix(ckpt, "lm_head.weight", s.vocab, s.hidden);
  return w;
}

size_t decoder_weight_bytes_per_token(const DecoderWeights& w) {
  auto bytes = [](const WeightView& m) { return m.row_bytes() * static_cast<size_t>(m.rows); };
  size_t total = bytes(w.lm_head) + w.embed_tokens.row_bytes();  // one embedding row
  for (const auto& l : w.layers) {
    for (const WeightView* m : {&l.q_proj, &l.k_proj, &l.v_proj, &l.o_proj, &l.gate_proj,
                                &l.up_proj, &l.down_proj}) {
      total += bytes(*m);
    }
  }
  return total;
}

}  // namespace qwenrt
