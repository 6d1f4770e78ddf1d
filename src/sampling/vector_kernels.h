// The vocabulary loops behind vector_math.h, written once over the vector width and
// compiled per SIMD target: vector_math.cc instantiates 4 lanes for the baseline ISA
// (SSE2 / NEON), vector_math_avx2.cc 8 lanes with AVX2+FMA. Include only from those files.
//
// Every instantiation takes an `Isa` tag declared in its file's anonymous namespace, so
// the instantiations have internal linkage: the linker can never merge an AVX2 copy into
// the baseline one. Tails run through the same vector code (padded loads), so a value
// computed for the last few elements, or for one scalar, equals the vector lanes'.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace qwenrt {

// One SIMD target's kernels; vector_math.h documents each.
struct VocabKernels {
  const char* name;
  float (*max_value)(const float* x, size_t n);
  bool (*has_nan_or_positive_inf)(const float* x, size_t n);
  void (*divide_all)(float* x, size_t n, float divisor);
  void (*mask_below)(float* x, size_t n, float threshold);
  size_t (*next_above)(const float* x, size_t n, size_t begin, float threshold);
  double (*exp_sum)(const float* x, size_t n, float max, float* weights);
  size_t (*find_cumulative)(const float* w, size_t n, double target);
  void (*distance_bins)(const float* x, size_t n, float max, float bins_per_nat, int n_bins,
                        uint16_t* bins);
  size_t (*next_in_bin)(const uint16_t* bins, size_t n, size_t begin, int bin);
  double (*keep_unmasked)(const float* x, float* w, size_t n);
};

// The baseline kernels (always available) and the AVX2+FMA ones (null when the CPU or OS
// lacks them). Tests run both; vector_math.h's functions use the best.
const VocabKernels& baseline_vocab_kernels();
const VocabKernels* avx2_vocab_kernels();

// GCC drops a vector_size attribute whose size depends on a template parameter, so the
// vector types are spelled out per width.
template <int kLanes>
struct VectorTypes;
template <>
struct VectorTypes<4> {
  typedef float F __attribute__((vector_size(16)));
  typedef int32_t I __attribute__((vector_size(16)));
  typedef uint16_t U16 __attribute__((vector_size(8)));
};
template <>
struct VectorTypes<8> {
  typedef float F __attribute__((vector_size(32)));
  typedef int32_t I __attribute__((vector_size(32)));
  typedef uint16_t U16 __attribute__((vector_size(16)));
};

template <typename Isa, int kLanes>
struct VocabSimd {
  using F = typename VectorTypes<kLanes>::F;
  using I = typename VectorTypes<kLanes>::I;
  using U16 = typename VectorTypes<kLanes>::U16;
  static constexpr float kInf = std::numeric_limits<float>::infinity();
  static constexpr size_t kBlock = 4 * kLanes;  // elements per unrolled step
  // Sums run in float vectors over chunks of this many elements (each lane adds 8 terms
  // of at most 1), then in double across chunks: accurate, without a long serial chain.
  static constexpr size_t kChunk = 8 * kBlock;

  static F splat(float s) { return F{} + s; }
  static F load(const float* p) {
    F v;
    std::memcpy(&v, p, sizeof v);  // unaligned
    return v;
  }
  // The first `count` < kLanes elements, the other lanes set to `pad`.
  static F load_partial(const float* p, size_t count, float pad) {
    F v = splat(pad);
    std::memcpy(&v, p, count * sizeof(float));
    return v;
  }
  static void store(float* p, F v) { std::memcpy(p, &v, sizeof v); }
  static void store_partial(float* p, F v, size_t count) {
    std::memcpy(p, &v, count * sizeof(float));
  }
  static bool any(I mask) {
    int32_t bits = 0;
    for (int l = 0; l < kLanes; ++l) bits |= mask[l];
    return bits != 0;
  }
  // Pairwise over the lanes: a short dependency chain.
  static float horizontal_sum(F v) {
    float lanes[kLanes];
    std::memcpy(lanes, &v, sizeof v);
    for (int width = kLanes / 2; width >= 1; width /= 2) {
      for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
    }
    return lanes[0];
  }

  // Cephes expf for x <= 0: x = n*ln2 + r with |r| <= ln2/2, exp(r) by a degree-6
  // polynomial, 2^n added to the exponent bits. Inputs below -86 (and -inf) give 0, which
  // keeps n >= -124 so the exponent trick stays exact on normal floats.
  static F exp_nonpositive(F x) {
    const I flush = x < splat(-86.0f);
    x = flush ? splat(-86.0f) : x;
    // Adding 1.5 * 2^23 rounds to the nearest integer in the low mantissa bits.
    const F magic = splat(12582912.0f);
    const F n = (x * splat(1.44269504088896341f) + magic) - magic;
    F r = x - n * splat(0.693359375f);
    r = r - n * splat(-2.12194440e-4f);
    F p = splat(1.9875691500e-4f);
    p = p * r + splat(1.3981999507e-3f);
    p = p * r + splat(8.3334519073e-3f);
    p = p * r + splat(4.1665795894e-2f);
    p = p * r + splat(1.6666665459e-1f);
    p = p * r + splat(5.0000001201e-1f);
    F y = p * (r * r) + r + splat(1.0f);
    const I scaled = reinterpret_cast<I>(y) + (__builtin_convertvector(n, I) << 23);
    y = reinterpret_cast<F>(scaled);
    return flush ? splat(0.0f) : y;
  }

  static float max_value(const float* x, size_t n) {
    F m0 = splat(-kInf), m1 = m0;
    size_t i = 0;
    // `v > m ? v : m` keeps m when v is NaN.
    for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
      const F a = load(x + i), b = load(x + i + kLanes);
      m0 = a > m0 ? a : m0;
      m1 = b > m1 ? b : m1;
    }
    if (i + kLanes <= n) {
      const F a = load(x + i);
      m0 = a > m0 ? a : m0;
      i += kLanes;
    }
    if (i < n) {
      const F a = load_partial(x + i, n - i, -kInf);
      m0 = a > m0 ? a : m0;
    }
    m0 = m1 > m0 ? m1 : m0;
    float m = -kInf;
    for (int l = 0; l < kLanes; ++l) m = m0[l] > m ? m0[l] : m;
    return m;
  }

  static bool has_nan_or_positive_inf(const float* x, size_t n) {
    const F inf = splat(kInf);
    I bad = I{};
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      const F v = load(x + i);
      bad |= (v != v) | (v == inf);
    }
    if (i < n) {
      const F v = load_partial(x + i, n - i, 0.0f);
      bad |= (v != v) | (v == inf);
    }
    return any(bad);
  }

  static void divide_all(float* x, size_t n, float divisor) {
    const F d = splat(divisor);
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) store(x + i, load(x + i) / d);
    if (i < n) store_partial(x + i, load_partial(x + i, n - i, 1.0f) / d, n - i);
  }

  static void mask_below(float* x, size_t n, float threshold) {
    const F t = splat(threshold), minus_inf = splat(-kInf);
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      const F v = load(x + i);
      store(x + i, v < t ? minus_inf : v);
    }
    if (i < n) {
      const F v = load_partial(x + i, n - i, 0.0f);
      store_partial(x + i, v < t ? minus_inf : v, n - i);
    }
  }

  static size_t next_above(const float* x, size_t n, size_t begin, float threshold) {
    const F t = splat(threshold);
    size_t i = begin;
    // One test per block: most blocks hold nothing above the threshold.
    for (; i + kBlock <= n; i += kBlock) {
      const I hit = (load(x + i) > t) | (load(x + i + kLanes) > t) |
                    (load(x + i + 2 * kLanes) > t) | (load(x + i + 3 * kLanes) > t);
      if (any(hit)) break;
    }
    for (; i < n; ++i) {
      if (x[i] > threshold) return i;
    }
    return n;
  }

  static double exp_sum(const float* x, size_t n, float max, float* weights) {
    const F m = splat(max);
    double total = 0.0;
    size_t i = 0;
    while (i + kBlock <= n) {
      F s0 = splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
      const size_t chunk_end = i + kChunk <= n ? i + kChunk : n;
      for (; i + kBlock <= chunk_end; i += kBlock) {
        const F a = exp_nonpositive(load(x + i) - m), b = exp_nonpositive(load(x + i + kLanes) - m);
        const F c = exp_nonpositive(load(x + i + 2 * kLanes) - m);
        const F d = exp_nonpositive(load(x + i + 3 * kLanes) - m);
        if (weights != nullptr) {
          store(weights + i, a);
          store(weights + i + kLanes, b);
          store(weights + i + 2 * kLanes, c);
          store(weights + i + 3 * kLanes, d);
        }
        s0 += a;
        s1 += b;
        s2 += c;
        s3 += d;
      }
      total += horizontal_sum((s0 + s1) + (s2 + s3));
    }
    for (; i + kLanes <= n; i += kLanes) {
      const F w = exp_nonpositive(load(x + i) - m);
      if (weights != nullptr) store(weights + i, w);
      total += horizontal_sum(w);
    }
    if (i < n) {
      const F w = exp_nonpositive(load_partial(x + i, n - i, -kInf) - m);  // padding gives 0
      if (weights != nullptr) store_partial(weights + i, w, n - i);
      total += horizontal_sum(w);
    }
    return total;
  }

  static size_t find_cumulative(const float* w, size_t n, double target) {
    double acc = 0.0;
    size_t i = 0;
    // Skip whole chunks while their sum stays below the target.
    while (i + kChunk <= n) {
      F s0 = splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
      for (size_t k = i; k < i + kChunk; k += kBlock) {
        s0 += load(w + k);
        s1 += load(w + k + kLanes);
        s2 += load(w + k + 2 * kLanes);
        s3 += load(w + k + 3 * kLanes);
      }
      const double chunk = horizontal_sum((s0 + s1) + (s2 + s3));
      if (acc + chunk > target) break;  // the target lies in this chunk (or rounding says so)
      acc += chunk;
      i += kChunk;
    }
    for (; i < n; ++i) {
      acc += w[i];
      if (acc > target && w[i] > 0.0f) return i;
    }
    return n;
  }

  static void distance_bins(const float* x, size_t n, float max, float bins_per_nat, int n_bins,
                            uint16_t* bins) {
    const F m = splat(max), scale = splat(bins_per_nat),
            last = splat(static_cast<float>(n_bins - 1));
    auto bin_of = [&](F v) {
      F d = (m - v) * scale;
      d = d < last ? d : last;  // +inf (from -inf logits) and NaN go to the last bin
      return __builtin_convertvector(__builtin_convertvector(d, I), U16);
    };
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      const U16 b = bin_of(load(x + i));
      std::memcpy(bins + i, &b, sizeof b);
    }
    if (i < n) {
      const U16 b = bin_of(load_partial(x + i, n - i, 0.0f));
      std::memcpy(bins + i, &b, (n - i) * sizeof(uint16_t));
    }
  }

  static I load_bins(const uint16_t* p) {
    U16 b;
    std::memcpy(&b, p, sizeof b);
    return __builtin_convertvector(b, I);
  }

  static size_t next_in_bin(const uint16_t* bins, size_t n, size_t begin, int bin) {
    const I target = I{} + bin;
    size_t i = begin;
    for (; i + kBlock <= n; i += kBlock) {
      const I hit = (load_bins(bins + i) == target) | (load_bins(bins + i + kLanes) == target) |
                    (load_bins(bins + i + 2 * kLanes) == target) |
                    (load_bins(bins + i + 3 * kLanes) == target);
      if (any(hit)) break;
    }
    for (; i < n; ++i) {
      if (bins[i] == bin) return i;
    }
    return n;
  }

  static double keep_unmasked(const float* x, float* w, size_t n) {
    const F minus_inf = splat(-kInf), zero = splat(0.0f);
    double total = 0.0;
    size_t i = 0;
    while (i + kLanes <= n) {
      F s0 = zero;
      const size_t chunk_end = i + kChunk <= n ? i + kChunk : n;
      for (; i + kLanes <= chunk_end; i += kLanes) {
        const F v = load(x + i) == minus_inf ? zero : load(w + i);
        store(w + i, v);
        s0 += v;
      }
      total += horizontal_sum(s0);
    }
    for (; i < n; ++i) {
      if (x[i] == -kInf) w[i] = 0.0f;
      total += w[i];
    }
    return total;
  }

  static VocabKernels table(const char* name) {
    return VocabKernels{name,         &max_value,       &has_nan_or_positive_inf,
                        &divide_all,  &mask_below,      &next_above,
                        &exp_sum,     &find_cumulative, &distance_bins,
                        &next_in_bin, &keep_unmasked};
  }
};

}  // namespace qwenrt
