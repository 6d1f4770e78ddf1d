// QwenDecoder::forward_batch: the chunks of many sequences in one pass. Every kernel on
// the way is row-independent (each row's result is bitwise what it would be alone), so
// a sequence's tokens do not depend on which others share its steps.
#include <cmath>
#include <cstring>
#include <string>

#include "base/error.h"
#include "kernels/cpu/paged_attention.h"
#include "kernels/cpu/quant_packed.h"
#include "model/decoder.h"

namespace qwenrt {

void QwenDecoder::check_chunks(std::span<const SequenceChunk> chunks, const PagedKVCache& cache) const {
  const ModelShape& s = shape_;
  check(cache.n_layers() == s.n_layers && cache.n_kv_heads() == s.n_kv_heads &&
            cache.head_dim() == s.head_dim,
        "forward_batch: the paged KV cache was made for another model shape");
  for (size_t c = 0; c < chunks.size(); ++c) {
    const SequenceChunk& ch = chunks[c];
    const std::string where = "forward_batch: chunk " + std::to_string(c) + ": ";
    check(ch.n > 0 && ch.tokens != nullptr, where + "no tokens");
    check(ch.start >= 0 && ch.start + ch.n <= s.max_positions,
          where + "positions up to " + std::to_string(ch.start + ch.n) + " exceed the model's " +
              std::to_string(s.max_positions));
    check(ch.block_table != nullptr && ch.n_blocks * cache.block_size() >= ch.start + ch.n,
          where + "its block table covers fewer than " + std::to_string(ch.start + ch.n) + " positions");
    for (int64_t b = 0; b < ch.n_blocks; ++b) {
      check(ch.block_table[b] >= 0 && ch.block_table[b] < cache.n_blocks(),
            where + "block id " + std::to_string(ch.block_table[b]) + " is outside the pool");
    }
    for (int64_t t = 0; t < ch.n; ++t) {
      check(ch.tokens[t] >= 0 && ch.tokens[t] < s.vocab,
            where + "token id " + std::to_string(ch.tokens[t]) + " is outside the vocabulary of " +
                std::to_string(s.vocab));
    }
  }
}

void QwenDecoder::forward_batch(std::span<const SequenceChunk> chunks, PagedKVCache& cache,
                                float* logits) {
  check_chunks(chunks, cache);
  int64_t rows = 0;
  for (const SequenceChunk& ch : chunks) rows += ch.n;
  if (rows == 0) return;
  run_pass(rows, [&] { forward_rows(chunks, rows, cache, logits); });
}

void QwenDecoder::forward_rows(std::span<const SequenceChunk> chunks, int64_t rows, PagedKVCache& cache,
                               float* logits) {
  const ModelShape& s = shape_;
  grow_buffers(rows);
  buf_.logit_rows.clear();
  int64_t r = 0;
  for (const SequenceChunk& ch : chunks) {
    for (int64_t t = 0; t < ch.n; ++t, ++r) {
      buf_.positions[static_cast<size_t>(r)] = static_cast<int32_t>(ch.start + t);
      cpu::dequantize_weight_row(weights_.embed_tokens, ch.tokens[t], buf_.x.data() + r * s.hidden);
    }
    if (ch.wants_logits) buf_.logit_rows.push_back(r - 1);
  }

  for (int64_t i = 0; i < s.n_layers; ++i) {
    const DecoderLayerWeights& layer = weights_.layers[static_cast<size_t>(i)];
    batch_attention_block(layer, i, rows, chunks, cache);
    mlp_block(layer, rows, /*row_independent=*/true);
  }

  const int64_t n_logits = static_cast<int64_t>(buf_.logit_rows.size());
  if (n_logits == 0) return;
  for (int64_t j = 0; j < n_logits; ++j) {
    cpu::rms_norm(buf_.x.data() + buf_.logit_rows[static_cast<size_t>(j)] * s.hidden,
                  weights_.norm.data(), 1, s.hidden, static_cast<float>(s.rms_norm_eps),
                  buf_.normed.data() + j * s.hidden);
  }
  const cpu::MatmulTarget head{&weights_.lm_head, nullptr, logits};
  matmul(buf_.normed.data(), n_logits, std::span(&head, 1), /*row_independent=*/true);
}

void QwenDecoder::batch_attention_block(const DecoderLayerWeights& l, int64_t layer_index,
                                        int64_t rows, std::span<const SequenceChunk> chunks,
                                        PagedKVCache& cache) {
  const ModelShape& s = shape_;
  const int64_t q_width = s.n_heads * s.head_dim;
  project_qkv(l, rows, /*row_independent=*/true);

  // Keys and values of every row into their sequence's blocks, then attention per sequence.
  float* k_pool = cache.keys(layer_index);
  float* v_pool = cache.values(layer_index);
  const int64_t bs = cache.block_size();
  const size_t head_bytes = static_cast<size_t>(s.head_dim) * sizeof(float);
  std::vector<cpu::PagedQuery> queries;
  queries.reserve(chunks.size());
  int64_t r = 0;
  for (const SequenceChunk& ch : chunks) {
    for (int64_t t = 0; t < ch.n; ++t) {
      const int64_t pos = ch.start + t;
      const int64_t block = ch.block_table[pos / bs];
      for (int64_t h = 0; h < s.n_kv_heads; ++h) {
        const int64_t dst = ((block * s.n_kv_heads + h) * bs + pos % bs) * s.head_dim;
        const int64_t src = ((r + t) * s.n_kv_heads + h) * s.head_dim;
        std::memcpy(k_pool + dst, buf_.k.data() + src, head_bytes);
        std::memcpy(v_pool + dst, buf_.v.data() + src, head_bytes);
      }
    }
    queries.push_back({buf_.q.data() + r * q_width, buf_.attn.data() + r * q_width, ch.n, ch.start,
                       ch.block_table});
    r += ch.n;
  }
  const cpu::PagedKV kv{k_pool, v_pool, bs, s.n_kv_heads, s.head_dim};
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
  cpu::paged_attention(pool_, queries, kv, s.n_heads, scale);

  attention_output(l, rows, /*row_independent=*/true);
}

}  // namespace qwenrt
