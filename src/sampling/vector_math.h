// Whole-vocabulary float loops for the sampler (max, scale, mask, exp-sum, search).
// They run on every generated token over ~152k logits, and the project compiles at -O2
// without -march, where GCC 12 does not auto-vectorise; so they are written with the
// GCC/Clang vector extensions (vector_kernels.h) and run on the best SIMD target the CPU
// has, chosen once (AVX2+FMA, else the baseline ISA). Element-wise results equal the
// scalar IEEE computation, except exp_nonpositive() (and the weights built on it), a
// polynomial whose last bit may differ between targets; sums run in a fixed order. So a
// seeded sampler repeats its tokens exactly on the same target; across targets only a
// draw landing within rounding of a boundary between two tokens could differ.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace qwenrt {

// "avx2" or "baseline": the target in use.
const char* vocab_kernels_name();

// Largest value, ignoring NaN; -inf when empty or nothing is larger.
float max_value(std::span<const float> x);

// True if some x[i] is NaN or +inf: values no distribution can be made from.
bool has_nan_or_positive_inf(std::span<const float> x);

// x[i] = x[i] / divisor, IEEE division (bit-identical to the scalar loop).
void divide_all(std::span<float> x, float divisor);

// x[i] = -inf wherever x[i] < threshold.
void mask_below(std::span<float> x, float threshold);

// The first index i >= begin with x[i] > threshold, or x.size() if none.
size_t next_above(std::span<const float> x, size_t begin, float threshold);

// exp(x) for x <= 0 (and -inf), within 2 ulp of the true value for x >= -86; results
// below exp(-86) ~ 4e-38 (negligible next to the max, whose weight is 1) are flushed to 0.
// Equal to the weights exp_sum() computes for the same argument.
float exp_nonpositive(float x);

// Sum of exp(x[i] - max) where max >= every x[i] and is finite; -inf entries contribute
// 0. Writes each term to weights[i] when weights is non-null (room for x.size()).
double exp_sum(std::span<const float> x, float max, float* weights);

// The first index whose inclusive prefix sum of w exceeds target and whose weight is
// positive (so a zero-weight token is never chosen); w.size() if rounding left none.
size_t find_cumulative(std::span<const float> w, double target);

// bins[i] = min(floor((max - x[i]) * bins_per_nat), n_bins - 1): a histogram bin by
// distance below the max; -inf and NaN land in the last bin. n_bins <= 65536.
void distance_bins(std::span<const float> x, float max, float bins_per_nat, int n_bins,
                   uint16_t* bins);

// The first index i >= begin with bins[i] == bin, or bins.size() if none.
size_t next_in_bin(std::span<const uint16_t> bins, size_t begin, int bin);

// w[i] = 0 wherever x[i] is -inf; returns the sum of w (w.size() == x.size()).
double keep_unmasked(std::span<const float> x, std::span<float> w);

}  // namespace qwenrt
