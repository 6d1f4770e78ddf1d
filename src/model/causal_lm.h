// A loaded Qwen-family causal language model: token ids in, next-token logits out.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "io/hf_config.h"
#include "model/kv_cache.h"
#include "model/paged_kv_cache.h"

namespace qwenrt {

// The hyper-parameters the forward pass needs, resolved from config.json.
struct ModelShape {
  std::string architecture;  // e.g. "Qwen2ForCausalLM"
  int64_t n_layers = 0;
  int64_t hidden = 0;
  int64_t intermediate = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t vocab = 0;
  int64_t max_positions = 0;
  RopeConfig rope;  // theta and scaling (default, linear or yarn: model/rope_frequencies.h)
  double rms_norm_eps = 1e-6;
  bool qkv_bias = false;      // Qwen2: q/k/v projections carry a bias
  bool qk_norm = false;       // Qwen3: RMSNorm over each head of q and k before RoPE
  bool tied_embeddings = false;

  // Mixture of experts (Qwen2-MoE, Qwen3-MoE); n_experts = 0 for a dense model.
  int64_t n_experts = 0;
  int64_t n_experts_per_token = 0;
  int64_t expert_intermediate = 0;
  int64_t shared_expert_intermediate = 0;  // Qwen2-MoE's gated always-on expert; 0 when none
  bool norm_topk_prob = false;             // the chosen experts' weights renormalised to sum 1
  std::vector<bool> moe_layers;            // per layer: experts instead of the dense MLP

  bool is_moe_layer(int64_t layer) const {
    return layer < static_cast<int64_t>(moe_layers.size()) && moe_layers[static_cast<size_t>(layer)];
  }
};

// Part of one sequence in a batched step: tokens at positions start .. start + n - 1,
// their keys and values going to (and earlier ones read from) the blocks of its table.
struct SequenceChunk {
  const int32_t* tokens = nullptr;
  int64_t n = 0;
  int64_t start = 0;                    // positions before it are already in the cache
  const int32_t* block_table = nullptr;  // position p lives in block_table[p / block_size]
  int64_t n_blocks = 0;                  // entries in block_table
  bool wants_logits = false;             // logits of its last token
};

class CausalLM {
 public:
  virtual ~CausalLM() = default;

  // Loads a Hugging Face checkpoint directory or a GGUF file; dispatches on the
  // architecture and throws Error for an unsupported one.
  static std::unique_ptr<CausalLM> load(const std::string& path, ThreadPool& pool);

  virtual const ModelShape& shape() const = 0;
  // Bytes of weights one decode step reads (every matrix once): the roofline's numerator.
  virtual size_t weight_bytes_per_token() const = 0;
  // The memory most of those bytes are read from (the repacked weights), for measuring the
  // read bandwidth decode actually gets; empty where the weights are not held in one place.
  virtual std::span<const uint8_t> weight_memory() const { return {}; }

  KVCache make_cache(int64_t capacity) const {
    return KVCache(shape().n_layers, shape().n_kv_heads, shape().head_dim, capacity);
  }

  // Runs `n` tokens of one sequence at positions cache.size() .. cache.size()+n-1,
  // appends their keys/values to `cache`, and writes logits [n or 1, vocab]: for every
  // token when `all_logits`, else for the last one only. One call at a time per model.
  virtual void forward(const int32_t* tokens, int64_t n, KVCache& cache, float* logits,
                       bool all_logits) = 0;

  PagedKVCache make_paged_cache(int64_t n_blocks, int64_t block_size) const {
    return PagedKVCache(shape().n_layers, shape().n_kv_heads, shape().head_dim, n_blocks, block_size);
  }

  // Runs the chunks of several sequences as one batch: every row of every chunk goes
  // through each weight matrix together, attention runs per sequence over its blocks.
  // Writes one logits row [vocab] per chunk that wants logits, in chunk order. A row's
  // results are bitwise the same whatever else shares the batch. One call at a time.
  virtual void forward_batch(std::span<const SequenceChunk> chunks, PagedKVCache& cache,
                             float* logits) = 0;
};

}  // namespace qwenrt
