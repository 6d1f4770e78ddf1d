// The Qwen-family decoder-only transformer (modeling_qwen2.py / modeling_qwen3.py):
// embeddings → N × [RMSNorm → GQA attention with RoPE → residual → RMSNorm → SwiGLU MLP
// → residual] → RMSNorm → LM head. Architectures differ only in ModelShape flags.
#pragma once
#include <vector>

#include "io/checkpoint.h"
#include "model/causal_lm.h"
#include "model/decoder_weights.h"
#include "model/weight_packing.h"

namespace qwenrt {

class QwenDecoder : public CausalLM {
 public:
  QwenDecoder(Checkpoint checkpoint, ModelShape shape, ThreadPool& pool);

  const ModelShape& shape() const override { return shape_; }
  size_t weight_bytes_per_token() const override { return decoder_weight_bytes_per_token(weights_); }
  void forward(const int32_t* tokens, int64_t n, KVCache& cache, float* logits,
               bool all_logits) override;
  void forward_batch(std::span<const SequenceChunk> chunks, PagedKVCache& cache,
                     float* logits) override;

 private:
  void attention_block(const DecoderLayerWeights& layer, int64_t layer_index, int64_t n,
                       KVCache& cache);
  void mlp_block(const DecoderLayerWeights& layer, int64_t n);
  // forward_batch's layers (decoder_batch.cc): row-independent kernels throughout.
  void check_chunks(std::span<const SequenceChunk> chunks, const PagedKVCache& cache) const;
  void batch_attention_block(const DecoderLayerWeights& layer, int64_t layer_index, int64_t rows,
                             std::span<const SequenceChunk> chunks, PagedKVCache& cache);
  void batch_mlp_block(const DecoderLayerWeights& layer, int64_t rows);

  Checkpoint checkpoint_;  // owns the mapped files the weight views point into
  ModelShape shape_;
  ThreadPool& pool_;
  DecoderWeights weights_;
  PackedWeights packed_;  // the interleaved copies weights_' views point to
  std::vector<float> inv_freq_;

  // Activations of the current forward call, grown as needed: [n, width] each.
  struct Buffers {
    std::vector<float> x, normed, q, k, v, attn, proj, gate, up;
    std::vector<int32_t> positions;
    std::vector<int64_t> logit_rows;
  } buf_;
};

}  // namespace qwenrt
