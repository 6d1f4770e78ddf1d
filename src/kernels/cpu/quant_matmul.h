// Matmul with llama.cpp's block-quantized weights as llama.cpp does it: the activations
// are quantized once per call to int8 blocks (kernel_tables.h's ActBlock32 / ActBlock256,
// shared by all threads), then every output is an integer dot product per block, scaled
// in F32. Decode (one x row) streams each weight row once; prompt processing tiles
// several x rows (QuantMatmulKernels::max_rows) against blocks of weight rows so each weight block is unpacked
// once per tile. Weights the loader repacked (WeightView::packed, quant_packed.h) take the
// row-interleaved kernels instead, for decode and prompt alike. A row's output is
// bit-identical whatever m it is computed in.
#pragma once
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {

// y = x · w^T (+ bias) for each target; every weight must be quantized (is_quantized) and
// all must share w.cols. Threads split the targets' stacked weight rows in one region.
void quant_matmul_group(ThreadPool& pool, const float* x, int64_t m,
                        std::span<const MatmulTarget> targets);

}  // namespace qwenrt::cpu
