// What the AVX-512 and AVX2 packed kernel files (quant_packed.h) share: the decode
// prefetch and the row tiling.
#pragma once
#include <cstdint>

namespace qwenrt::cpu {

// Decode (one activation row) does little work per weight byte, and on some machines the
// hardware prefetchers alone keep too few lines in flight to stream at the read bandwidth.
// The one-row kernels request the lines kDistance bytes ahead of the block they start,
// where the machine's trial says it pays (decode_prefetch.h).
// Zen 4 VM, 2 threads, decode with reads at ~80 GB/s: 1.5B Q4_K_M 48 -> 67 t/s with the
// next K-quant block (no change at ~48 GB/s); with 8 KB ahead (a 32-element block is too
// short a distance) Q4_0 ~69 -> ~73, Q4_1 ~66 -> ~68, Q5_0 ~56 -> ~63 t/s (AVX2 Q4_0 kernel
// alone: 48 -> 55 GB/s). Q8_0, at ~93% of the reads already, was slower with it and does
// not prefetch.
template <int64_t kBlockBytes, int64_t kDistance = kBlockBytes>
inline void prefetch_ahead(const uint8_t* block) {
  for (int64_t line = 0; line < kBlockBytes; line += 64) __builtin_prefetch(block + kDistance + line, 0, 3);
}
// How far ahead the 32-element 4- and 5-bit types prefetch.
constexpr int64_t kPrefetchDistance32 = 8192;

// The packed kernels' entry point over any number of activation rows: tiles of up to kMax
// rows, each run by the kernel instantiated for exactly that many (K<n>::run), so the
// accumulators of a tile stay in registers.
template <template <int> class K, int kMax>
void tile_rows(const uint8_t* g, const void* act, int64_t stride, int rows, int64_t blocks,
               float* out, int64_t out_stride) {
  static_assert(kMax >= 1 && kMax <= 8, "tiles of 1 to 8 rows");
  const auto* a = static_cast<const uint8_t*>(act);
  while (rows > 0) {
    const int n = rows < kMax ? rows : kMax;
    switch (n) {
      case 1: K<1>::run(g, a, stride, blocks, out, out_stride); break;
      case 2: K<2>::run(g, a, stride, blocks, out, out_stride); break;
      case 3: K<3>::run(g, a, stride, blocks, out, out_stride); break;
      case 4: K<4>::run(g, a, stride, blocks, out, out_stride); break;
      default:
        if constexpr (kMax > 4) {
          switch (n) {
            case 5: K<5>::run(g, a, stride, blocks, out, out_stride); break;
            case 6: K<6>::run(g, a, stride, blocks, out, out_stride); break;
            case 7: K<7>::run(g, a, stride, blocks, out, out_stride); break;
            default: K<8>::run(g, a, stride, blocks, out, out_stride); break;
          }
        }
        break;
    }
    rows -= n;
    a += n * stride;
    out += n * out_stride;
  }
}

}  // namespace qwenrt::cpu
