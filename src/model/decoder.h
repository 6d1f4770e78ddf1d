// The Qwen-family decoder-only transformer (modeling_qwen2.py / modeling_qwen3.py):
// embeddings → N × [RMSNorm → GQA attention with RoPE → residual → RMSNorm → SwiGLU MLP
// → residual] → RMSNorm → LM head. Architectures differ only in ModelShape flags.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "io/checkpoint.h"
#include "kernels/cpu/ops.h"
#include "model/causal_lm.h"
#include "model/decoder_weights.h"
#include "model/weight_packing.h"

namespace qwenrt {

class QwenDecoder : public CausalLM {
 public:
  QwenDecoder(Checkpoint checkpoint, ModelShape shape, ThreadPool& pool);

  const ModelShape& shape() const override { return shape_; }
  size_t weight_bytes_per_token() const override {
    return decoder_weight_bytes_per_token(weights_, shape_.n_experts_per_token);
  }
  std::span<const uint8_t> weight_memory() const override { return packed_.memory(); }
  void forward(const int32_t* tokens, int64_t n, KVCache& cache, float* logits,
               bool all_logits) override;
  void forward_batch(std::span<const SequenceChunk> chunks, PagedKVCache& cache,
                     float* logits) override;

 private:
  // The steps forward and forward_batch share (decoder.cc). row_independent = true selects
  // forward_batch's kernels, whose every row is bitwise what it would be alone (see
  // decoder_batch.cc); forward keeps the faster matmul / matmul_group and whole-buffer ops.
  void grow_buffers(int64_t rows);  // every activation buffer to `rows` rows
  void matmul(const float* x, int64_t rows, std::span<const cpu::MatmulTarget> targets,
              bool row_independent);
  // input_layernorm → q/k/v projections (+ q/k RMSNorm) → RoPE at buf_.positions.
  void project_qkv(const DecoderLayerWeights& layer, int64_t rows, bool row_independent);
  // o_proj of buf_.attn, added to the residual stream.
  void attention_output(const DecoderLayerWeights& layer, int64_t rows, bool row_independent);
  // post_attention_layernorm → SwiGLU MLP or mixture of experts → residual.
  void mlp_block(const DecoderLayerWeights& layer, int64_t rows, bool row_independent);
  // down(silu(gate(x)) * up(x)) for `rows` rows of x into out; `width` is the MLP's.
  void swiglu(const DecoderLayerWeights::Mlp& mlp, const float* x, int64_t rows, int64_t width, float* out,
              bool row_independent);
  // The experts' weighted outputs for buf_.normed into buf_.proj (decoder_moe.cc).
  void mixture_of_experts(const DecoderLayerWeights& layer, int64_t rows, bool row_independent);
  // The passes behind forward and forward_batch.
  void forward_tokens(const int32_t* tokens, int64_t n, KVCache& cache, float* logits, bool all_logits);
  void forward_rows(std::span<const SequenceChunk> chunks, int64_t rows, PagedKVCache& cache, float* logits);
  // Runs `pass`; a pass over a single row is a decode step, which takes part in settling
  // the machine's decode prefetch (kernels/cpu/decode_prefetch.h).
  static void run_pass(int64_t rows, const std::function<void()>& pass);
  // What each path keeps to itself: where keys/values are stored and how attention reads them.
  void attention_block(const DecoderLayerWeights& layer, int64_t layer_index, int64_t n,
                       KVCache& cache);
  void check_chunks(std::span<const SequenceChunk> chunks, const PagedKVCache& cache) const;
  void batch_attention_block(const DecoderLayerWeights& layer, int64_t layer_index, int64_t rows,
                             std::span<const SequenceChunk> chunks, PagedKVCache& cache);

  Checkpoint checkpoint_;  // owns the mapped files the weight views point into
  ModelShape shape_;
  ThreadPool& pool_;
  DecoderWeights weights_;
  PackedWeights packed_;  // the interleaved copies weights_' views point to
  std::vector<float> inv_freq_;
  float rope_scaling_ = 1.0f;  // YaRN's factor on cos/sin

  // Activations of the current forward call, grown as needed: [n, width] each.
  struct Buffers {
    std::vector<float> x, normed, q, k, v, attn, proj, gate, up;
    std::vector<int32_t> positions;
    std::vector<int64_t> logit_rows;
    // Mixture of experts: router logits [n, n_experts], the rows one expert takes and its
    // output, the shared expert's gate logits [n].
    std::vector<float> router, expert_in, expert_out, shared_gate;
  } buf_;
};

}  // namespace qwenrt
