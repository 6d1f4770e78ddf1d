// The packed kernels' entry point over any number of activation rows: tiles of up to kMax
// rows, each run by the kernel instantiated for exactly that many (K<n>::run), so the
// accumulators of a tile stay in registers. Shared by the AVX-512 and AVX2 kernel files.
#pragma once
#include <cstdint>

namespace qwenrt::cpu {

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
