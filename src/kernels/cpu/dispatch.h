// Run-time choice of the SIMD target. The best target the CPU supports is chosen once,
// on first use; every public op in ops.h reads the chosen table, so one binary runs on
// AVX2-only and AVX-512 machines.
#pragma once
#include <string>
#include <vector>

#include "kernels/cpu/kernel_tables.h"
#include "tensor/dtype.h"

namespace qwenrt::cpu {

// One SIMD target's kernels for every op family.
struct KernelTable {
  const char* name;
  const MatmulKernels* matmul;
  const PagedAttentionKernels* attention;
  const ElementwiseKernels* elementwise;
  const MachineKernels* machine;
  const DequantizeKernels* dequantize;
  const QuantMatmulKernels* quant;
};

// The table in use: the best supported target unless a test or benchmark forced another.
const KernelTable& active_kernels();

// Targets this CPU can run, best first ("avx512", "avx2", "scalar"); "scalar" is always there.
std::vector<std::string> supported_simd_targets();

// Forces `name` for all later calls (tests and benchmarks compare paths with it). Returns
// false and changes nothing if the name is unknown or the CPU lacks the instructions.
// Process-wide: the one piece of global state, fixed at start-up in production.
bool set_simd_target_for_testing(const std::string& name);

// Tuning that depends on the CPU model rather than on its instruction set.
struct CpuTuning {
  // How far ahead the GEMV software-prefetches weights into L2; 0 leaves it to the
  // hardware prefetchers.
  int64_t gemv_prefetch_bytes;
};
CpuTuning cpu_tuning();
// Overrides the tuning (benchmarks compare settings with it); like the target, global.
void set_cpu_tuning_for_testing(const CpuTuning& tuning);

// The kernels' weight type for `dtype`; throws Error for types they do not read yet.
WeightType weight_type_of(DType dtype);

}  // namespace qwenrt::cpu
