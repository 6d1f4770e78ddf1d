// Qwen's official AWQ and GPTQ checkpoints (quantization_config.quant_method "awq" /
// "gptq" in config.json): packed int32 qweight/qzeros, fp16 scales per group of input
// columns and, for GPTQ, g_idx (the group of each input column).
//
// Why convert instead of running the packed layout: every (group, output row) pair has
// one scale s and one zero z, and w = (q - z) * s with integer q, z. For 4 bits q - z
// lies in [-16, 15], which is exactly Q5_0's d * (q5 - 16) with d = s (fp16, as Q5_0's d
// is); for symmetric 8-bit GPTQ (z = 128) q - z is int8, exactly Q8_0. A 32-column block
// sits inside one group when the group size is a multiple of 32, so the conversion is
// lossless and the existing integer-dot kernels (kernels/cpu/quant_matmul.h) run it.
//
// GPTQ act-order (desc_act): g_idx is not i / group_size, so a group's columns are
// scattered. The columns are stably sorted by group so that each group is contiguous,
// and the weight remembers that order (WeightView::input_order): the matmul gathers x
// into the same order, which leaves x · w^T unchanged.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "io/checkpoint.h"
#include "tensor/tensor.h"

namespace qwenrt {

struct PackedQuantConfig {
  enum class Method { kAwq, kGptq };
  Method method = Method::kAwq;
  int bits = 4;
  int64_t group_size = 128;  // -1 in the file: one group spanning the whole input
  bool sym = false;          // GPTQ: zeros are 2^(bits-1)
  bool desc_act = false;     // GPTQ: act-order; g_idx decides the groups either way
  // GPTQ v1 ("gptq", what AutoGPTQ and Qwen's checkpoints write) stores zero - 1;
  // v2 ("gptq_v2") and AWQ store the zero itself.
  bool zeros_minus_one = false;
  std::string source;  // the config.json, for messages
};

// The quantization_config of <model_dir>/config.json when it names AWQ or GPTQ; nullopt
// when there is none. Throws Error naming the file and key for a quant_method qwenrt
// cannot run, unsupported bits or AWQ version, or a group size that is not a multiple
// of 32 (or -1).
std::optional<PackedQuantConfig> read_packed_quant_config(const std::string& model_dir);
std::optional<PackedQuantConfig> parse_packed_quant_config(const std::string& config_json,
                                                           const std::string& source);

// A linear layer converted to a llama.cpp block type; `view` points into the buffers
// below (heap storage, so moving this object keeps `view` valid).
struct ConvertedWeight {
  WeightView view;
  std::vector<uint8_t> blocks;
  std::vector<int32_t> input_order;  // empty when the columns keep their order
};

// Whether the checkpoint stores `base` (e.g. "model.layers.0.mlp.up_proj") packed.
bool has_packed_weight(const Checkpoint& ckpt, const std::string& base);

// The tensors that hold a packed `base`: base + each suffix (.g_idx is GPTQ's only).
inline constexpr const char* kPackedParts[] = {".qweight", ".qzeros", ".scales", ".g_idx"};
bool is_packed_part(const std::string& name);

// The [rows, cols] (out_features, in_features) a packed `base` stands for, read off its
// qweight and scales, for callers that do not know the layer's size (qwenrt quantize).
// convert_packed_weight still checks every tensor against it.
std::vector<int64_t> packed_weight_shape(const Checkpoint& ckpt, const PackedQuantConfig& config,
                                         const std::string& base);

// Converts `base`.qweight/.qzeros/.scales (and GPTQ's .g_idx) into a [rows, cols] weight
// (rows = out_features). Throws Error naming the tensor and its file on a missing
// tensor, a wrong shape or dtype, an out-of-range g_idx, or values the target type
// cannot hold exactly. The rows are converted on `pool`; the bytes, and which error is
// thrown, do not depend on its size.
ConvertedWeight convert_packed_weight(const Checkpoint& ckpt, const PackedQuantConfig& config,
                                      const std::string& base, int64_t rows, int64_t cols,
                                      ThreadPool& pool);

}  // namespace qwenrt
