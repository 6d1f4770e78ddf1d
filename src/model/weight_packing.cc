#include "model/weight_packing.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <vector>

#include "kernels/cpu/quant_packed.h"

namespace qwenrt {
namespace {

// Drops the whole pages inside [p, p + n) of a read-only private file mapping from the
// resident set; reading them again faults them back from the file.
void release_pages(const void* p, size_t n) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  const auto end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
  // Advice only: where it fails the pages simply stay resident.
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

constexpr size_t kHugePage = size_t{2} << 20;

}  // namespace

void PackedWeights::Free::operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(kHugePage)); }

PackedWeights PackedWeights::pack(DecoderWeights& w, ThreadPool& pool) {
  PackedWeights out;
  std::vector<WeightView*> todo;
  for (DecoderLayerWeights& l : w.layers) {
    for (WeightView* m : l.matrices())
      if (cpu::can_pack(*m)) todo.push_back(m);
  }
  const bool tied = w.lm_head.data == w.embed_tokens.data;
  if (cpu::can_pack(w.lm_head)) todo.push_back(&w.lm_head);
  if (todo.empty()) return out;
  std::vector<size_t> offsets;
  for (const WeightView* m : todo) {
    offsets.push_back(out.bytes_);
    out.bytes_ += (cpu::packed_weight_bytes(*m) + 63) / 64 * 64;
  }
  const size_t arena_bytes = (out.bytes_ + kHugePage - 1) / kHugePage * kHugePage;
  out.arena_.reset(static_cast<uint8_t*>(::operator new[](arena_bytes, std::align_val_t(kHugePage))));
  // Advice only: without it the arena is on 4 KB pages.
  (void)::madvise(out.arena_.get(), arena_bytes, MADV_HUGEPAGE);
  for (size_t i = 0; i < todo.size(); ++i) {
    WeightView& m = *todo[i];
    uint8_t* dst = out.arena_.get() + offsets[i];
    // Piece by piece, dropping each piece of the original once packed: the two copies
    // of a large matrix (a tied 150k-row head) are never resident together.
    const int64_t groups = m.rows / cpu::kPackRows;
    const size_t group_bytes = m.row_bytes() * static_cast<size_t>(cpu::kPackRows);
    const int64_t step = std::max<int64_t>(1, static_cast<int64_t>((size_t{16} << 20) / group_bytes));
    for (int64_t g = 0; g < groups; g += step) {
      const int64_t end = std::min(groups, g + step);
      cpu::pack_weight(pool, m, g, end, dst);
      release_pages(m.row(g * cpu::kPackRows), group_bytes * static_cast<size_t>(end - g));
    }
    m.packed = dst;
  }
  if (tied) w.embed_tokens.packed = w.lm_head.packed;
  return out;
}

}  // namespace qwenrt
