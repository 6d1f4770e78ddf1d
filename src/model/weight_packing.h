// Load-time repacking of a decoder's quantized matrices for the CPU's interleaved kernels
// (kernels/cpu/quant_packed.h). The packed copy replaces the mapped original in memory:
// once a matrix is packed, its file pages are dropped from the process (they stay in the
// page cache, and a tied embedding's row lookups fault back only the rows they read), so
// resident memory stays at one copy of the weights.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "base/thread_pool.h"
#include "model/decoder_weights.h"

namespace qwenrt {

// Owns the packed copies that the weight views' `packed` pointers refer to.
class PackedWeights {
 public:
  struct Free {
    void operator()(uint8_t* p) const;
  };
  // Packs every matrix of w the active CPU target has a packed kernel for, sets its
  // `packed`, and releases the original's pages. Set QWENRT_NO_PACKED to skip it.
  static PackedWeights pack(DecoderWeights& w, ThreadPool& pool);
  size_t bytes() const { return bytes_; }
  std::span<const uint8_t> memory() const { return {arena_.get(), bytes_}; }

 private:
  // One arena for all the copies, on transparent huge pages where the kernel gives them:
  // decode streams every byte once per token, and 4 KB pages would cost a TLB miss per
  // page. One arena wastes at most one huge page's tail, not one per matrix.
  std::unique_ptr<uint8_t[], Free> arena_;
  size_t bytes_ = 0;
};

}  // namespace qwenrt
