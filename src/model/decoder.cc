#include "model/decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "kernels/cpu/decode_prefetch.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/quant_packed.h"
#include "model/rope_frequencies.h"

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
      weights_(bind_decoder_weights(checkpoint_, shape_, pool_)),
      packed_(PackedWeights::pack(weights_, pool_)) {
  cpu::DecodePrefetchTuner::instance();  // a bad QWENRT_DECODE_PREFETCH fails the load, not a later step
  const RopeFrequencies rope = rope_frequencies(shape_.rope, shape_.head_dim, shape_.max_positions, shape_.architecture);
  inv_freq_ = rope.inv_freq;
  rope_scaling_ = rope.attention_scaling;
}

void QwenDecoder::run_pass(int64_t rows, const std::function<void()>& pass) {
  if (rows == 1) {
    cpu::DecodePrefetchTuner::instance().step(pass);
  } else {
    pass();
  }
}

void QwenDecoder::forward(const int32_t* tokens, int64_t n, KVCache& cache, float* logits,
                          bool all_logits) {
  run_pass(n, [&] { forward_tokens(tokens, n, cache, logits, all_logits); });
}

void QwenDecoder::forward_tokens(const int32_t* tokens, int64_t n, KVCache& cache, float* logits,
                                 bool all_logits) {
  const ModelShape& s = shape_;
  const int64_t pos0 = cache.size();
  check(n > 0, "forward called with no tokens");
  check(pos0 + n <= cache.capacity(),
        "context of " + std::to_string(pos0 + n) + " tokens exceeds the KV cache capacity " +
            std::to_string(cache.capacity()));
  grow_buffers(n);
  for (int64_t t = 0; t < n; ++t) {
    check(tokens[t] >= 0 && tokens[t] < s.vocab,
          "token id " + std::to_string(tokens[t]) + " is outside the vocabulary of " +
              std::to_string(s.vocab));
    buf_.positions[static_cast<size_t>(t)] = static_cast<int32_t>(pos0 + t);
    cpu::dequantize_weight_row(weights_.embed_tokens, tokens[t], buf_.x.data() + t * s.hidden);
  }

  for (int64_t i = 0; i < s.n_layers; ++i) {
    const DecoderLayerWeights& layer = weights_.layers[static_cast<size_t>(i)];
    attention_block(layer, i, n, cache);
    mlp_block(layer, n, /*row_independent=*/false);
  }
  cache.set_size(pos0 + n);

  const int64_t first = all_logits ? 0 : n - 1, rows = n - first;
  cpu::rms_norm(buf_.x.data() + first * s.hidden, weights_.norm.data(), rows, s.hidden,
                static_cast<float>(s.rms_norm_eps), buf_.normed.data());
  const cpu::MatmulTarget head{&weights_.lm_head, nullptr, logits};
  matmul(buf_.normed.data(), rows, std::span(&head, 1), /*row_independent=*/false);
}

void QwenDecoder::attention_block(const DecoderLayerWeights& l, int64_t layer_index, int64_t n,
                                  KVCache& cache) {
  const ModelShape& s = shape_;
  project_qkv(l, n, /*row_independent=*/false);
  const int64_t pos0 = cache.size();
  store_kv(buf_.k.data(), n, pos0, s.n_kv_heads, s.head_dim, cache.capacity(), cache.keys(layer_index));
  store_kv(buf_.v.data(), n, pos0, s.n_kv_heads, s.head_dim, cache.capacity(), cache.values(layer_index));
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
  cpu::attention(pool_, buf_.q.data(), n, pos0, cache.keys(layer_index), cache.values(layer_index),
                 cache.capacity(), s.n_heads, s.n_kv_heads, s.head_dim, scale, buf_.attn.data());
  attention_output(l, n, /*row_independent=*/false);
}

// ---- Shared by forward and forward_batch (decoder_batch.cc) ----

void QwenDecoder::grow_buffers(int64_t rows) {
  const ModelShape& s = shape_;
  const int64_t q_width = s.n_heads * s.head_dim, kv_width = s.n_kv_heads * s.head_dim;
  for (std::vector<float>* b : {&buf_.x, &buf_.normed, &buf_.proj}) grow(*b, rows * s.hidden);
  for (std::vector<float>* b : {&buf_.q, &buf_.attn}) grow(*b, rows * q_width);
  for (std::vector<float>* b : {&buf_.k, &buf_.v}) grow(*b, rows * kv_width);
  const int64_t mlp_width = std::max({s.intermediate, s.expert_intermediate, s.shared_expert_intermediate});
  for (std::vector<float>* b : {&buf_.gate, &buf_.up}) grow(*b, rows * mlp_width);
  buf_.positions.resize(static_cast<size_t>(rows));
  if (s.n_experts > 0) {
    grow(buf_.router, rows * s.n_experts);
    for (std::vector<float>* b : {&buf_.expert_in, &buf_.expert_out}) grow(*b, rows * s.hidden);
    grow(buf_.shared_gate, rows);
  }
}

// Row-independent: matmul_group_row_independent for everything (cpu/matmul.h says why).
// Otherwise matmul_group for a group (one parallel region at decode), matmul for one weight.
void QwenDecoder::matmul(const float* x, int64_t rows, std::span<const cpu::MatmulTarget> targets,
                         bool row_independent) {
  if (row_independent) {
    cpu::matmul_group_row_independent(pool_, x, rows, targets);
  } else if (targets.size() == 1) {
    cpu::matmul(pool_, x, rows, *targets[0].w, targets[0].bias, targets[0].y);
  } else {
    cpu::matmul_group(pool_, x, rows, targets);
  }
}

void QwenDecoder::project_qkv(const DecoderLayerWeights& l, int64_t rows, bool row_independent) {
  const ModelShape& s = shape_;
  const float eps = static_cast<float>(s.rms_norm_eps);
  cpu::rms_norm(buf_.x.data(), l.input_layernorm.data(), rows, s.hidden, eps, buf_.normed.data());
  auto bias = [](const std::vector<float>& b) { return b.empty() ? nullptr : b.data(); };
  const cpu::MatmulTarget qkv[] = {{&l.q_proj, bias(l.q_bias), buf_.q.data()},
                                   {&l.k_proj, bias(l.k_bias), buf_.k.data()},
                                   {&l.v_proj, bias(l.v_bias), buf_.v.data()}};
  matmul(buf_.normed.data(), rows, qkv, row_independent);
  if (s.qk_norm) {
    cpu::rms_norm(buf_.q.data(), l.q_norm.data(), rows * s.n_heads, s.head_dim, eps, buf_.q.data());
    cpu::rms_norm(buf_.k.data(), l.k_norm.data(), rows * s.n_kv_heads, s.head_dim, eps, buf_.k.data());
  }
  cpu::rope_neox(buf_.q.data(), rows, s.n_heads, s.head_dim, buf_.positions.data(), inv_freq_.data(), rope_scaling_);
  cpu::rope_neox(buf_.k.data(), rows, s.n_kv_heads, s.head_dim, buf_.positions.data(), inv_freq_.data(), rope_scaling_);
}

void QwenDecoder::attention_output(const DecoderLayerWeights& l, int64_t rows, bool row_independent) {
  const cpu::MatmulTarget o{&l.o_proj, nullptr, buf_.proj.data()};
  matmul(buf_.attn.data(), rows, std::span(&o, 1), row_independent);
  add_in_place(buf_.x.data(), buf_.proj.data(), rows * shape_.hidden);
}

void QwenDecoder::mlp_block(const DecoderLayerWeights& l, int64_t rows, bool row_independent) {
  const ModelShape& s = shape_;
  cpu::rms_norm(buf_.x.data(), l.post_attention_layernorm.data(), rows, s.hidden,
                static_cast<float>(s.rms_norm_eps), buf_.normed.data());
  if (l.experts.empty()) {
    swiglu(l.mlp, buf_.normed.data(), rows, s.intermediate, buf_.proj.data(), row_independent);
  } else {
    mixture_of_experts(l, rows, row_independent);
  }
  add_in_place(buf_.x.data(), buf_.proj.data(), rows * s.hidden);
}

void QwenDecoder::swiglu(const DecoderLayerWeights::Mlp& mlp, const float* x, int64_t rows, int64_t width,
                         float* out, bool row_independent) {
  const cpu::MatmulTarget gate_up[] = {{&mlp.gate_proj, nullptr, buf_.gate.data()},
                                       {&mlp.up_proj, nullptr, buf_.up.data()}};
  matmul(x, rows, gate_up, row_independent);
  if (row_independent) {
    // Row by row: a vector kernel's tail must fall at the same place in a row whatever
    // rows precede it.
    for (int64_t r = 0; r < rows; ++r) {
      float* g = buf_.gate.data() + r * width;
      cpu::silu_mul(g, buf_.up.data() + r * width, width, g);
    }
  } else {
    cpu::silu_mul(buf_.gate.data(), buf_.up.data(), rows * width, buf_.gate.data());
  }
  const cpu::MatmulTarget down{&mlp.down_proj, nullptr, out};
  matmul(buf_.gate.data(), rows, std::span(&down, 1), row_independent);
}

}  // namespace qwenrt
