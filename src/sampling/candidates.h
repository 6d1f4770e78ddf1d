// Finding the candidate tokens of a logits row without sorting the vocabulary: the n
// largest, or every one not yet masked.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace qwenrt {

// Writes to `out` the indices of the min(n, x.size()) largest values of x, largest
// first, equal values by lower index first; NaN counts as -inf. One vectorised scan keeps
// a buffer of at most 2n entries above a rising threshold, pruned with nth_element, so
// the cost is O(V + n log n) whatever the order of x.
void select_top(std::span<const float> x, size_t n, std::vector<int32_t>& out);

// Writes to `out` the indices of the entries above -inf, in increasing order. Returns
// false, leaving `out` partial, as soon as there are more than `limit`.
bool gather_finite(std::span<const float> x, size_t limit, std::vector<int32_t>& out);

}  // namespace qwenrt
