// The per-SIMD-target kernel tables that dispatch.cc chooses between.
//
// Each *_avx512.cc / *_avx2.cc / *_scalar.cc file defines one table for its op family.
// This header is included by those ISA-specific files, so it must stay free of the
// standard library and of inline functions: an inline function instantiated in an
// AVX-512 file could be merged by the linker with the baseline copy and then run on
// an AVX2-only CPU. Only plain types, raw pointers and function pointers here.
#pragma once
#include <cstdint>

namespace qwenrt::cpu {

// The weight element types the kernels read (a subset of DType, kept separate so that
// ISA files need not include tensor/dtype.h).
enum class WeightType : uint8_t { kF32, kBF16, kF16 };

// llama.cpp's block-quantized weight types (layouts in tensor/quant_reference.h).
enum class QuantType : uint8_t { kQ8_0, kQ4_0, kQ4_1, kQ4_K, kQ5_K, kQ6_K, kQ5_0, kQ5_1 };

struct MatmulKernels {
  // y[i*ldy + n] = sum_k x[i*k_len + k] * w[n][k] (+ bias[n]) for i < m, n in [n0, n1).
  // Streams each weight row once (decode); x rows are contiguous with stride k_len.
  // prefetch_bytes > 0: software-prefetch the weight stream that far ahead into L2.
  void (*gemv)(const float* x, int64_t m, int64_t k_len, WeightType type, const void* w,
               int64_t row_bytes, int64_t n0, int64_t n1, const float* bias, float* y, int64_t ldy,
               int64_t prefetch_bytes);

  // GEMM micro-tile: mr rows of x by nr weight rows. nr == 0: the target has no GEMM
  // and matmul always uses gemv.
  int mr;
  int nr;

  // Packs weight rows [n0, n0 + nc) x columns [k0, k0 + kc) to F32 panels laid out as
  // packed[p][kk][nr] (p < ceil(nc / nr)); rows past nc are zero. packed is 64-byte aligned.
  void (*pack_b)(WeightType type, const void* w, int64_t row_bytes, int64_t n0, int64_t nc,
                 int64_t k0, int64_t kc, float* packed);

  // c[i*ldc + j] (+)= sum_kk a[i][kk] * b[j][kk] for i < m, j < nc, over one k block:
  // a is packed as panels of mr rows, panel p at a + p*a_panel_stride laid out [kk][mr]
  // (rows past m zero); b is pack_b's output. accumulate: add to c instead of overwriting;
  // bias (nullable, indexed by j) is added after the sum.
  void (*gemm_block)(const float* a, int64_t a_panel_stride, int64_t m, int64_t kc, const float* b,
                     int64_t nc, const float* bias, bool accumulate, float* c, int64_t ldc);
};

// Activations quantized on the fly for the integer dot products (quant_matmul.h): int8
// values x ~= d * qs with d ~= max|x| / 127 over the block, as llama.cpp's q8_0 / q8_K
// (ops_reference.h's quantize_act32 / quantize_act256 say exactly).
// Blocks of 32 for the 32-element weight types (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1); sum is
// the sum of qs, which turns the weights' unsigned quants and offsets into signed dots.
struct ActBlock32 {
  float d;
  int32_t sum;
  int8_t qs[32];
};
// Blocks of 256 for the K-quants; bsums[i] sums qs[16i .. 16i + 16) for their mins/offsets.
struct ActBlock256 {
  float d;
  int16_t bsums[16];
  int8_t qs[256];
};

// Integer-dot quantized matmul kernels of one SIMD target.
struct QuantMatmulKernels {
  // Quantize n floats (a multiple of 32 / 256) to n / 32 or n / 256 blocks. Bit-identical
  // on every target (same float ops, round half to even).
  void (*quantize_act32)(const float* x, int64_t n, ActBlock32* dst);
  void (*quantize_act256)(const float* x, int64_t n, ActBlock256* dst);
  // Most activation rows one dot call takes (its register budget).
  int max_rows;
  // out[r * out_stride] = dot(weight row w, activation row r) for r < rows (1..max_rows),
  // activation row r at act + r * act_stride bytes, `blocks` weight blocks. A row's result
  // does not depend on `rows` or on the other rows (batch invariance), bit for bit.
  // Indexed by QuantType; nullptr: the target has no kernel for the type.
  void (*dot[8])(const void* w, const void* act, int64_t act_stride, int rows, int64_t blocks,
                 float* out, int64_t out_stride);
};

struct PagedAttentionKernels {
  // Query heads [h0, h1) (one GQA group: they read the same KV head) of tokens [t0, t1)
  // of one sequence. k, v: the layer's pool (paged_attention.h's PagedKV layout).
  // scratch holds (h1 - h0) * (n_past + t1) floats.
  void (*rows)(const float* q, float* out, int64_t n_past, const int32_t* block_table,
               const float* k, const float* v, int64_t block_size, int64_t n_heads,
               int64_t n_kv_heads, int64_t head_dim, float scale, int64_t h0, int64_t h1,
               int64_t t0, int64_t t1, float* scratch);
};

struct ElementwiseKernels {
  void (*silu_mul)(const float* gate, const float* up, int64_t n, float* out);
  // y = x * (1 / sqrt(mean(x^2) + eps)) * weight for one row of n.
  void (*rms_norm_row)(const float* x, const float* weight, int64_t n, float eps, float* y);
  // exp of n floats (for tests of the vector exp the other kernels use).
  void (*exp)(const float* x, int64_t n, float* y);
  void (*convert_row)(WeightType type, const void* src, int64_t n, float* dst);
};

struct DequantizeKernels {
  // Decodes n elements (whole blocks, src unaligned) of `type` into dst. Returns false,
  // writing nothing, when the target has no kernel for the type: the caller then uses
  // the scalar reference (dequantize.cc).
  bool (*row)(QuantType type, const void* src, int64_t n, float* dst);
};

// Probes of the machine's limits (fma_peak.h, memory_bandwidth.h).
struct MachineKernels {
  // Runs `iterations` rounds of independent FMAs; returns the F32 FLOPs done.
  double (*fma_loop)(int64_t iterations);
  // Sums `bytes` (a multiple of 256, 64-byte aligned) as 64-bit words with the widest
  // loads, prefetching `prefetch_distance` bytes ahead when it is not 0.
  uint64_t (*read_sum)(const uint8_t* p, int64_t bytes, int64_t prefetch_distance);
};

extern const MatmulKernels kMatmulScalar, kMatmulAvx2, kMatmulAvx512;
extern const PagedAttentionKernels kPagedAttentionScalar, kPagedAttentionAvx2, kPagedAttentionAvx512;
extern const ElementwiseKernels kElementwiseScalar, kElementwiseAvx2, kElementwiseAvx512;
extern const MachineKernels kMachineScalar, kMachineAvx2, kMachineAvx512;
extern const DequantizeKernels kDequantizeScalar, kDequantizeAvx2, kDequantizeAvx512;
extern const QuantMatmulKernels kQuantMatmulScalar, kQuantMatmulAvx2, kQuantMatmulAvx512Vnni;

}  // namespace qwenrt::cpu
