#include "model/decoder.h"

#include <cmath>
#include <cstring>

#include "base/error.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/quant_packed.h"

namespace qwenrt {
namespace {

void grow(std::vector<float>& v, int64_t n) {
  if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
}

void add_in_place(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

// Copies [n, n_kv_heads, head_dim] rows into the cache's [n_kv_heads, capacity, head_dim]
// layout at positions pos0 .. pos0+n-1.
void store_kv(const float* src, int64_t n, int64_t pos0, int64_t n_kv_heads, int64_t head_dim,
              int64_t capacity, float* cache) {
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t h = 0; h < n_kv_heads; ++h) {
      std::memcpy(cache + (h * capacity + pos0 + t) * head_dim,
                  src + (t * n_kv_heads + h) * head_dim, static_cast<size_t>(head_dim) * sizeof(float));
    }
  }
}

}  // namespace

QwenDecoder::QwenDecoder(Checkpoint checkpoint, ModelShape shape, ThreadPool& pool)
    : checkpoint_(std::move(checkpoint)), shape_(std::move(shape)), pool_(pool),
      weights_(bind_decoder_weights(checkpoint_, shape_)),
      packed_(PackedWeights::pack(weights_, pool_)) {
  // inv_freq = 1 / theta^(2i/d), as transformers computes it in F32.
  for (int64_t i = 0; i < shape_.head_dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(shape_.head_dim);
    const float theta_pow = static_cast<float>(std::pow(static_cast<float>(shape_.rope_theta), exponent));
    inv_freq_.push_back(1.0f / theta_pow);
  }
}

void QwenDecoder::forward(const int32_t* tokens, int64_t n, KVCache& cache, float* logits,
                          bool all_logits) {
  const ModelShape& s = shape_;
  const int64_t pos0 = cache.size();
  check(n > 0, "forward called with no tokens");
  check(pos0 + n <= cache.capacity(),
        "context of " + std::to_string(pos0 + n) + " tokens exceeds the KV cache capacity " +
            std::to_string(cache.capacity()));
  grow(buf_.x, n * s.hidden);
  grow(buf_.normed, n * s.hidden);
  buf_.positions.resize(static_cast<size_t>(n));
  for (int64_t t = 0; t < n; ++t) {
    check(tokens[t] >= 0 && tokens[t] < s.vocab,
          "token id " + std::to_string(tokens[t]) + " is outside the vocabulary of " +
              std::to_string(s.vocab));
    buf_.positions[static_cast<size_t>(t)] = static_cast<int32_t>(pos0 + t);
    const WeightView& e = weights_.embed_tokens;
    cpu::dequantize_weight_row(e, tokens[t], buf_.x.data() + t * s.hidden);
  }

  for (int64_t i = 0; i < s.n_layers; ++i) {
    const DecoderLayerWeights& layer = weights_.layers[static_cast<size_t>(i)];
    attention_block(layer, i, n, cache);
    mlp_block(layer, n);
  }
  cache.set_size(pos0 + n);

  const int64_t first = all_logits ? 0 : n - 1, rows = n - first;
  cpu::rms_norm(buf_.x.data() + first * s.hidden, weights_.norm.data(), rows, s.hidden,
                static_cast<float>(s.rms_norm_eps), buf_.normed.data());
  cpu::matmul(pool_, buf_.normed.data(), rows, weights_.lm_head, nullptr, logits);
}

void QwenDecoder::attention_block(const DecoderLayerWeights& l, int64_t layer_index, int64_t n,
                                  KVCache& cache) {
  const ModelShape& s = shape_;
  const int64_t q_width = s.n_heads * s.head_dim, kv_width = s.n_kv_heads * s.head_dim;
  const float eps = static_cast<float>(s.rms_norm_eps);
  grow(buf_.q, n * q_width);
  grow(buf_.k, n * kv_width);
  grow(buf_.v, n * kv_width);
  grow(buf_.attn, n * q_width);
  grow(buf_.proj, n * s.hidden);

  cpu::rms_norm(buf_.x.data(), l.input_layernorm.data(), n, s.hidden, eps, buf_.normed.data());
  auto bias = [](const std::vector<float>& b) { return b.empty() ? nullptr : b.data(); };
  const cpu::MatmulTarget qkv[] = {{&l.q_proj, bias(l.q_bias), buf_.q.data()},
                                   {&l.k_proj, bias(l.k_bias), buf_.k.data()},
                                   {&l.v_proj, bias(l.v_bias), buf_.v.data()}};
  cpu::matmul_group(pool_, buf_.normed.data(), n, qkv);
  if (s.qk_norm) {
    cpu::rms_norm(buf_.q.data(), l.q_norm.data(), n * s.n_heads, s.head_dim, eps, buf_.q.data());
    cpu::rms_norm(buf_.k.data(), l.k_norm.data(), n * s.n_kv_heads, s.head_dim, eps, buf_.k.data());
  }
  cpu::rope_neox(buf_.q.data(), n, s.n_heads, s.head_dim, buf_.positions.data(), inv_freq_.data());
  cpu::rope_neox(buf_.k.data(), n, s.n_kv_heads, s.head_dim, buf_.positions.data(), inv_freq_.data());

  const int64_t pos0 = cache.size();
  store_kv(buf_.k.data(), n, pos0, s.n_kv_heads, s.head_dim, cache.capacity(), cache.keys(layer_index));
  store_kv(buf_.v.data(), n, pos0, s.n_kv_heads, s.head_dim, cache.capacity(), cache.values(layer_index));
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
  cpu::attention(pool_, buf_.q.data(), n, pos0, cache.keys(layer_index), cache.values(layer_index),
                 cache.capacity(), s.n_heads, s.n_kv_heads, s.head_dim, scale, buf_.attn.data());
  cpu::matmul(pool_, buf_.attn.data(), n, l.o_proj, nullptr, buf_.proj.data());
  add_in_place(buf_.x.data(), buf_.proj.data(), n * s.hidden);
}

void QwenDecoder::mlp_block(const DecoderLayerWeights& l, int64_t n) {
  const ModelShape& s = shape_;
  grow(buf_.gate, n * s.intermediate);
  grow(buf_.up, n * s.intermediate);
  cpu::rms_norm(buf_.x.data(), l.post_attention_layernorm.data(), n, s.hidden,
                static_cast<float>(s.rms_norm_eps), buf_.normed.data());
  const cpu::MatmulTarget gate_up[] = {{&l.gate_proj, nullptr, buf_.gate.data()},
                                       {&l.up_proj, nullptr, buf_.up.data()}};
  cpu::matmul_group(pool_, buf_.normed.data(), n, gate_up);
  cpu::silu_mul(buf_.gate.data(), buf_.up.data(), n * s.intermediate, buf_.gate.data());
  cpu::matmul(pool_, buf_.gate.data(), n, l.down_proj, nullptr, buf_.proj.data());
  add_in_place(buf_.x.data(), buf_.proj.data(), n * s.hidden);
}

}  // namespace qwenrt
