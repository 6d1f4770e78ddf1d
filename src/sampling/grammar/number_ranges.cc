#include "sampling/grammar/number_ranges.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace qwenrt::grammar {

namespace {

// Decimal spellings of [lo, hi], both of the same length n.
ExprId same_length(Grammar& g, const std::string& lo, const std::string& hi) {
  const size_t n = lo.size();
  if (n == 0) return g.empty();
  const std::string lo_rest = lo.substr(1), hi_rest = hi.substr(1);
  if (lo[0] == hi[0]) return g.seq({g.byte(static_cast<uint8_t>(lo[0])), same_length(g, lo_rest, hi_rest)});
  const bool lo_rest_min = lo_rest.find_first_not_of('0') == std::string::npos;
  const bool hi_rest_max = hi_rest.find_first_not_of('9') == std::string::npos;
  std::vector<ExprId> parts;
  if (!lo_rest_min) {
    parts.push_back(g.seq({g.byte(static_cast<uint8_t>(lo[0])), same_length(g, lo_rest, std::string(n - 1, '9'))}));
  }
  const char first_mid = lo_rest_min ? lo[0] : static_cast<char>(lo[0] + 1);
  const char last_mid = hi_rest_max ? hi[0] : static_cast<char>(hi[0] - 1);
  if (first_mid <= last_mid) {
    const auto rest = static_cast<int32_t>(n - 1);
    parts.push_back(g.seq({g.byte_range(static_cast<uint8_t>(first_mid), static_cast<uint8_t>(last_mid)),
                           g.repeat(g.byte_range('0', '9'), rest, rest)}));
  }
  if (!hi_rest_max) {
    parts.push_back(g.seq({g.byte(static_cast<uint8_t>(hi[0])), same_length(g, std::string(n - 1, '0'), hi_rest)}));
  }
  return g.alt(std::move(parts));
}

ExprId non_negative_range(Grammar& g, int64_t a, int64_t b) {
  const std::string sa = std::to_string(a), sb = std::to_string(b);
  std::vector<ExprId> parts;
  int64_t power = 1;  // 10^(L-1)
  for (size_t len = 1; len <= sb.size(); ++len, power *= 10) {
    if (len < sa.size()) continue;
    const int64_t lo = len == sa.size() ? a : power;
    const int64_t hi = len == sb.size() ? b : power * 10 - 1;
    parts.push_back(same_length(g, std::to_string(lo), std::to_string(hi)));
  }
  return g.alt(std::move(parts));
}

// An integer-valued double as int64, clamped just outside the generated range.
int64_t clamp_integer(double v) {
  constexpr double kLimit = 1e16;
  if (v >= kLimit) return kMaxGeneratedInteger + 1;
  if (v <= -kLimit) return -kMaxGeneratedInteger - 1;
  return static_cast<int64_t>(v);
}

}  // namespace

ExprId integer_range(Grammar& g, int64_t lo, int64_t hi) {
  std::vector<ExprId> parts;
  if (lo < 0) parts.push_back(g.seq({g.byte('-'), non_negative_range(g, -std::min<int64_t>(hi, -1), -lo)}));
  if (hi >= 0) parts.push_back(non_negative_range(g, std::max<int64_t>(lo, 0), hi));
  return g.alt(std::move(parts));
}

std::optional<std::pair<int64_t, int64_t>> integer_bounds(const NumberBounds& b) {
  int64_t lo = -kMaxGeneratedInteger, hi = kMaxGeneratedInteger;
  if (b.minimum) {
    lo = std::max(lo, clamp_integer(b.exclusive_minimum ? std::floor(*b.minimum) + 1 : std::ceil(*b.minimum)));
  }
  if (b.maximum) {
    hi = std::min(hi, clamp_integer(b.exclusive_maximum ? std::ceil(*b.maximum) - 1 : std::floor(*b.maximum)));
  }
  if (lo > hi) return std::nullopt;
  return std::make_pair(lo, hi);
}

std::optional<ExprId> number_in_bounds(Grammar& g, const NumberBounds& b) {
  std::vector<ExprId> parts;
  if (auto ints = integer_bounds(b)) parts.push_back(integer_range(g, ints->first, ints->second));
  const ExprId fraction = g.seq({g.byte('.'), g.repeat(g.byte_range('0', '9'), 1, 16)});
  // I.F for I >= 0 lies in [I, I+1).
  int64_t i_lo = 0, i_hi = kMaxGeneratedInteger;
  if (b.minimum) {
    i_lo = std::max(i_lo, clamp_integer(b.exclusive_minimum ? std::floor(*b.minimum) + 1 : std::ceil(*b.minimum)));
  }
  if (b.maximum) i_hi = std::min(i_hi, clamp_integer(std::floor(*b.maximum)) - 1);
  if (i_lo <= i_hi) parts.push_back(g.seq({integer_range(g, i_lo, i_hi), fraction}));
  // -N.F for N >= 0 lies in (-(N+1), -N].
  int64_t n_lo = 0, n_hi = kMaxGeneratedInteger;
  if (b.maximum) {
    n_lo = std::max(n_lo, clamp_integer(b.exclusive_maximum ? std::floor(-*b.maximum) + 1 : std::ceil(-*b.maximum)));
  }
  if (b.minimum) n_hi = std::min(n_hi, clamp_integer(std::floor(-*b.minimum)) - 1);
  if (n_lo <= n_hi) parts.push_back(g.seq({g.byte('-'), integer_range(g, n_lo, n_hi), fraction}));
  if (parts.empty()) return std::nullopt;
  return g.alt(std::move(parts));
}

}  // namespace qwenrt::grammar
