// minimum / maximum as grammar: the decimal spellings of the integers in a range (the
// digit-by-digit construction llama.cpp's json-schema-to-grammar popularised), and
// numbers within bounds.
#pragma once
#include <cstdint>
#include <optional>

#include "sampling/grammar/grammar.h"

namespace qwenrt::grammar {

// Largest magnitude a generated integer may have (kMaxIntegerDigits nines).
inline constexpr int64_t kMaxGeneratedInteger = 9'999'999'999'999'999;

// Integers in [lo, hi] (both within +-kMaxGeneratedInteger, lo <= hi), written
// without leading zeros or "-0".
ExprId integer_range(Grammar& g, int64_t lo, int64_t hi);

struct NumberBounds {
  std::optional<double> minimum, maximum;
  bool exclusive_minimum = false, exclusive_maximum = false;
};

// The integers in `bounds`, as [lo, hi]; nullopt when there are none.
std::optional<std::pair<int64_t, int64_t>> integer_bounds(const NumberBounds& bounds);

// Numbers within `bounds`: the integers in range, and decimals I.F whose whole unit
// interval [I, I+1) (or (-(N+1), -N] for -N.F) lies inside the bounds. That is a
// subset of the allowed numbers (0.7 is not generated for minimum 0.5), never a value
// outside them; no exponents. nullopt when it is empty.
std::optional<ExprId> number_in_bounds(Grammar& g, const NumberBounds& bounds);

}  // namespace qwenrt::grammar
