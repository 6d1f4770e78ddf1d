#include "sampling/candidates.h"

#include <algorithm>
#include <limits>

#include "sampling/vector_math.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Entry {
  float value;
  int32_t index;
};

// Strict "ranks before": larger value, then lower index.
inline bool ranks_before(const Entry& a, const Entry& b) {
  return a.value > b.value || (a.value == b.value && a.index < b.index);
}

}  // namespace

void select_top(std::span<const float> x, size_t n, std::vector<int32_t>& out) {
  out.clear();
  n = std::min(n, x.size());
  if (n == 0) return;
  std::vector<Entry> buffer;
  buffer.reserve(2 * n);
  // Entries not above the threshold can no longer be among the n best: n buffered ones
  // rank before them (an equal value seen later has a larger index).
  float threshold = -kInf;
  for (size_t i = next_above(x, 0, threshold); i < x.size(); i = next_above(x, i + 1, threshold)) {
    buffer.push_back({x[i], static_cast<int32_t>(i)});
    if (buffer.size() == 2 * n) {
      std::nth_element(buffer.begin(), buffer.begin() + (n - 1), buffer.end(), ranks_before);
      buffer.resize(n);
      threshold = buffer[n - 1].value;
    }
  }
  // Never pruned and short: the buffer holds every value above -inf; the rest (-inf and
  // NaN, equal in rank) follow by index.
  for (size_t i = 0; buffer.size() < n; ++i) {
    if (!(x[i] > -kInf)) buffer.push_back({-kInf, static_cast<int32_t>(i)});
  }
  if (buffer.size() > n) {
    std::nth_element(buffer.begin(), buffer.begin() + (n - 1), buffer.end(), ranks_before);
    buffer.resize(n);
  }
  std::sort(buffer.begin(), buffer.end(), ranks_before);
  for (const Entry& e : buffer) out.push_back(e.index);
}

bool gather_finite(std::span<const float> x, size_t limit, std::vector<int32_t>& out) {
  out.clear();
  for (size_t i = next_above(x, 0, -kInf); i < x.size(); i = next_above(x, i + 1, -kInf)) {
    if (out.size() == limit) return false;
    out.push_back(static_cast<int32_t>(i));
  }
  return true;
}

}  // namespace qwenrt
