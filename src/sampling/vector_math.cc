#include "sampling/vector_math.h"

#include "sampling/vector_kernels.h"

namespace qwenrt {

const VocabKernels& avx2_vocab_kernels_unchecked();  // vector_math_avx2.cc

namespace {

struct Baseline {};

bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // Also checks that the OS saves the YMM registers.
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

// Chosen once; constant afterwards.
const VocabKernels& best() {
  static const VocabKernels& kernels =
      avx2_vocab_kernels() ? *avx2_vocab_kernels() : baseline_vocab_kernels();
  return kernels;
}

}  // namespace

const VocabKernels& baseline_vocab_kernels() {
  static const VocabKernels kernels = VocabSimd<Baseline, 4>::table("baseline");
  return kernels;
}

const VocabKernels* avx2_vocab_kernels() {
  static const VocabKernels* kernels =
      cpu_has_avx2_fma() ? &avx2_vocab_kernels_unchecked() : nullptr;
  return kernels;
}

const char* vocab_kernels_name() { return best().name; }

float max_value(std::span<const float> x) { return best().max_value(x.data(), x.size()); }

bool has_nan_or_positive_inf(std::span<const float> x) {
  return best().has_nan_or_positive_inf(x.data(), x.size());
}

void divide_all(std::span<float> x, float divisor) {
  best().divide_all(x.data(), x.size(), divisor);
}

void mask_below(std::span<float> x, float threshold) {
  best().mask_below(x.data(), x.size(), threshold);
}

size_t next_above(std::span<const float> x, size_t begin, float threshold) {
  return best().next_above(x.data(), x.size(), begin, threshold);
}

float exp_nonpositive(float x) {
  float w;
  best().exp_sum(&x, 1, 0.0f, &w);
  return w;
}

double exp_sum(std::span<const float> x, float max, float* weights) {
  return best().exp_sum(x.data(), x.size(), max, weights);
}

size_t find_cumulative(std::span<const float> w, double target) {
  return best().find_cumulative(w.data(), w.size(), target);
}

void distance_bins(std::span<const float> x, float max, float bins_per_nat, int n_bins,
                   uint16_t* bins) {
  best().distance_bins(x.data(), x.size(), max, bins_per_nat, n_bins, bins);
}

double keep_unmasked(std::span<const float> x, std::span<float> w) {
  return best().keep_unmasked(x.data(), w.data(), x.size());
}

size_t next_in_bin(std::span<const uint16_t> bins, size_t begin, int bin) {
  return best().next_in_bin(bins.data(), bins.size(), begin, bin);
}

}  // namespace qwenrt
