#include "kernels/cpu/dispatch.h"

#include <cpuid.h>

#include <atomic>

#include "base/error.h"
#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {
namespace {

const KernelTable kScalar{"scalar",           &kMatmulScalar,  &kPagedAttentionScalar,
                          &kElementwiseScalar, &kMachineScalar, &kDequantizeScalar,
                          &kQuantMatmulScalar};
const KernelTable kAvx2{"avx2",           &kMatmulAvx2,  &kPagedAttentionAvx2,
                        &kElementwiseAvx2, &kMachineAvx2, &kDequantizeAvx2,
                        &kQuantMatmulAvx2};
const KernelTable kAvx512{"avx512",           &kMatmulAvx512,  &kPagedAttentionAvx512,
                          &kElementwiseAvx512, &kMachineAvx512, &kDequantizeAvx512,
                          &kQuantMatmulAvx512Vnni};
// AVX-512 without VNNI (Skylake-X): the quantized dot products take the AVX2 kernels.
const KernelTable kAvx512NoVnni{"avx512",           &kMatmulAvx512,  &kPagedAttentionAvx512,
                                &kElementwiseAvx512, &kMachineAvx512, &kDequantizeAvx512,
                                &kQuantMatmulAvx2};

// The flags each ISA file is compiled with (see the top-level CMakeLists.txt), minus the
// ones the compiler never emits on its own (BF16, VNNI: only through intrinsics; VNNI's
// are in quant_dot_avx512.cc, checked separately below). __builtin_cpu_supports also
// checks that the OS saves the wider registers.
bool cpu_has_avx2() {
  __builtin_cpu_init();
  // clang's __builtin_cpu_supports has no "f16c": read CPUID leaf 1, ECX bit 29.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c &&
         __builtin_cpu_supports("bmi2");
}

bool cpu_has_avx512() {
  __builtin_cpu_init();
  return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq");
}

bool cpu_has_avx512_vnni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vnni");
}

const KernelTable* avx512_table() { return cpu_has_avx512_vnni() ? &kAvx512 : &kAvx512NoVnni; }

const KernelTable* best_table() {
  if (cpu_has_avx512()) return avx512_table();
  if (cpu_has_avx2()) return &kAvx2;
  return &kScalar;
}

std::atomic<const KernelTable*>& active_slot() {
  static std::atomic<const KernelTable*> slot{best_table()};
  return slot;
}

}  // namespace

const KernelTable& active_kernels() { return *active_slot().load(std::memory_order_acquire); }

std::vector<std::string> supported_simd_targets() {
  std::vector<std::string> out;
  if (cpu_has_avx512()) out.push_back("avx512");
  if (cpu_has_avx2()) out.push_back("avx2");
  out.push_back("scalar");
  return out;
}

bool set_simd_target_for_testing(const std::string& name) {
  const KernelTable* table = nullptr;
  if (name == "avx512" && cpu_has_avx512()) table = avx512_table();
  if (name == "avx2" && cpu_has_avx2()) table = &kAvx2;
  if (name == "scalar") table = &kScalar;
  if (table == nullptr) return false;
  active_slot().store(table, std::memory_order_release);
  return true;
}

namespace {

CpuTuning default_tuning() {
  // GEMV streaming 272 MB of BF16 weights (BM_Matmul m = 1), prefetch 0 / 8 KB ahead:
  // Intel Xeon, 2 threads: 19 / 27 GB/s. Zen 4 (shared VM), interleaved runs, mean of 12:
  // 21.1 / 21.7 (1 thread), 29.1 / 30.6 (2 threads); never worse. 4 KB was worse on Zen 4.
  return CpuTuning{8192};
}

std::atomic<int64_t>& gemv_prefetch_slot() {
  static std::atomic<int64_t> slot{default_tuning().gemv_prefetch_bytes};
  return slot;
}

}  // namespace

CpuTuning cpu_tuning() { return CpuTuning{gemv_prefetch_slot().load(std::memory_order_relaxed)}; }

void set_cpu_tuning_for_testing(const CpuTuning& tuning) {
  gemv_prefetch_slot().store(tuning.gemv_prefetch_bytes, std::memory_order_relaxed);
}

WeightType weight_type_of(DType dtype) {
  switch (dtype) {
    case DType::F32:
      return WeightType::kF32;
    case DType::BF16:
      return WeightType::kBF16;
    case DType::F16:
      return WeightType::kF16;
    default:
      break;
  }
  throw Error(std::string("CPU kernels do not support weights of type ") + dtype_name(dtype));
}

const char* simd_target() { return active_kernels().name; }

}  // namespace qwenrt::cpu
