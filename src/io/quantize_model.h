// `qwenrt quantize`: a Hugging Face checkpoint or a GGUF file to a GGUF file that
// llama.cpp loads, with llama.cpp's tensor names, metadata and per-tensor types
// (io/quantize_mix.h), every quantized tensor encoded as llama.cpp's reference quantizers
// encode it (tensor/quantize.h). Tensors are written in llama-quantize's order (outside
// the layers first, then layer by layer, by name within each).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "io/gguf.h"
#include "io/quantize_mix.h"

namespace qwenrt {

// One tensor of the output: its GGUF name, shape (row-major) and chosen type.
struct QuantizePlanEntry {
  std::string gguf_name;
  std::string source_name;  // the name in the input (Hugging Face or GGUF)
  // An AWQ/GPTQ linear (io/awq_gptq.h): source_name is its .qweight, and its .qzeros,
  // .scales and .g_idx are read with it.
  bool awq_gptq = false;
  // A layer's experts, stacked into one [expert, out, in] tensor as llama.cpp stores
  // them: the input names of experts 0, 1, ... (source_name is the stacked name).
  std::vector<std::string> expert_sources;
  std::vector<int64_t> shape;
  DType source_type = DType::F32;
  DType type = DType::F32;
  uint64_t bytes = 0;  // output bytes
};

struct QuantizeProgress {
  size_t tensors_done = 0;
  size_t tensors_total = 0;
  uint64_t bytes_done = 0;  // output bytes written so far
  uint64_t bytes_total = 0;
  const QuantizePlanEntry* last = nullptr;  // the tensor just finished
};

struct QuantizeOptions {
  QuantMix mix = QuantMix::Q4_K_M;
  ThreadPool* pool = nullptr;  // rows of each tensor are spread over it; nullptr: one thread
  std::function<void(const QuantizeProgress&)> on_progress;  // after each tensor
};

struct QuantizeResult {
  std::vector<QuantizePlanEntry> plan;
  std::vector<GgufKeyValue> metadata;
  uint64_t input_bytes = 0;   // bytes of the input tensors
  uint64_t output_bytes = 0;  // bytes of the output tensors
};

// Reads `input` (a checkpoint directory with config.json, safetensors and tokenizer.json,
// Qwen's AWQ and GPTQ checkpoints included, or a .gguf file), writes `output` (via a
// temporary file renamed into place). Throws Error naming the file and tensor on: an
// unsupported architecture (qwen2, qwen3, qwen2_moe, qwen3_moe), a tensor without a GGUF name, a
// non-finite weight, an unreadable or unwritable file, or a packed linear the AWQ/GPTQ
// loader rejects.
QuantizeResult quantize_model(const std::string& input, const std::string& output, const QuantizeOptions& options);

}  // namespace qwenrt
