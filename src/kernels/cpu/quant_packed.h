// Row-interleaved ("repacked") quantized weights for the AVX-512 VNNI and AVX2 kernels.
//
// The row-at-a-time integer dot (quant_dot_simd.h) spends most of its instructions on
// horizontal work: unpacking one row's block, then reducing 8 lanes to one output. Here
// 16 output rows are stored together so that one 512-bit vpdpbusd multiplies 4 weights of
// each of 16 rows by the same 4 activation bytes (broadcast): the 16 lanes of the
// accumulator are 16 outputs, and no horizontal reduction is left (AVX2: vpmaddubsw on
// each 8-row half). A weight group is unpacked once per tile of activation rows
// (register-tiled, like llama.cpp's repacked Q4_0 / Q4_K layouts).
//
// Layout: weight rows in groups of kPackRows; group g holds, block after block, the
// group's scales then its quants in 64-byte "k-groups" (16 rows x 4 consecutive
// elements). Weights are stored unsigned (Q8_0 as q + 128; nibbles as they are) so the
// activation is vpdpbusd's signed operand; the zero point's share, z * sum(x), depends
// on the activation block only and is subtracted by starting the integer sum there.
//
// Row independence: every output is one F32 accumulation over blocks in block order,
// fed by exact integer block sums, whatever the number of activation rows per call, so
// decode (m = 1) and prompt (m = 512) give bit-identical rows.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "tensor/tensor.h"

namespace qwenrt::cpu {

constexpr int64_t kPackRows = 16;

struct PackedQuantKernels {
  // Most activation rows one call takes.
  int max_rows;
  // out[r * out_stride + j] = dot(row j of the packed group, activation row r) for
  // j < kPackRows, r < rows; activations as QuantMatmulKernels::dot takes them.
  // Indexed by QuantType; nullptr: no packed kernel for the type.
  void (*dot[8])(const uint8_t* group, const void* act, int64_t act_stride, int rows,
                 int64_t blocks, float* out, int64_t out_stride);
};

extern const PackedQuantKernels kPackedQuantAvx512Vnni;
// The same layout with AVX2 (quant_packed_avx2.cc): also AVX-512 CPUs without VNNI.
extern const PackedQuantKernels kPackedQuantAvx2;

// The packed kernels of the active SIMD target (dispatch.h), or null where it has none.
const PackedQuantKernels* active_packed_kernels();

// Whether the active target has a packed kernel for w's type and w.rows is a whole number
// of groups.
bool can_pack(const WeightView& w);

// Bytes of one group of kPackRows rows in the packed layout.
int64_t packed_group_bytes(DType dtype, int64_t cols);
// Bytes of the whole packed copy of w.
size_t packed_weight_bytes(const WeightView& w);

// Writes groups [group_begin, group_end) of w's rows (w.data; group g is rows
// g * kPackRows ..) in the packed layout to their place in dst, the whole packed copy
// (packed_weight_bytes(w) bytes). Requires can_pack(w).
void pack_weight(ThreadPool& pool, const WeightView& w, int64_t group_begin, int64_t group_end,
                 uint8_t* dst);

// Row `row` of a packed w in its original GGUF block bytes (w.row_bytes() bytes): the exact
// inverse of pack_weight.
void unpack_weight_row(const WeightView& w, int64_t row, uint8_t* dst);

// Row `row` of w as cols floats, bit-identical to dequantize_row on the original: read from
// the packed copy where there is one (the loader may have released the original's pages;
// a tied embedding's lookups then touch no more than the packed rows they read).
void dequantize_weight_row(const WeightView& w, int64_t row, float* dst);

}  // namespace qwenrt::cpu
