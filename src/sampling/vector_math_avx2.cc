// vector_kernels.h at 8 lanes, compiled with AVX2+FMA flags (the build gives every
// *_avx2.cc file those flags). Reached only after a CPU check (vector_math.cc).
#include "sampling/vector_kernels.h"

namespace qwenrt {
namespace {
struct Avx2 {};
}  // namespace

// Its table; the caller must first have checked that the CPU runs AVX2 and FMA.
const VocabKernels& avx2_vocab_kernels_unchecked() {
  static const VocabKernels kernels = VocabSimd<Avx2, 8>::table("avx2");
  return kernels;
}

}  // namespace qwenrt
