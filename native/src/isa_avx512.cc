// The AVX-512F kernel set: 16-lane zmm vectors. A vector covers TWO of the program's 8-wide weight panels
// (lower half panel p, upper half panel p + 1: one 256-bit load + one 256-bit insert per k), so the GEMM
// register tile is 8 rows x 32 columns (16 accumulators of 32 zmm). Compiled with a target pragma, so the rest
// of the addon stays baseline x86-64; selected at load time only when CPUID says AVX-512F is usable.

#include "engine.h"

#if KR_X86
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "step_encoding.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,f16c")
#endif

namespace kr {
namespace avx512 {

struct I {
  static constexpr const char* name = "avx512";
  static constexpr int W = 16;   // lanes
  static constexpr int PPC = 2;  // 8-wide panels per vector
  static constexpr int MR = 8;   // GEMM tile rows
  static constexpr int NV = 2;   // GEMM tile vectors per row
  static constexpr int NREG = 32;
  using V = __m512;
  using M = __mmask16;

  static inline V zero() { return _mm512_setzero_ps(); }
  static inline V set1(float x) { return _mm512_set1_ps(x); }
  static inline V load(const float* p) { return _mm512_loadu_ps(p); }
  static inline void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static inline M tail(int n) { return static_cast<M>((1u << n) - 1u); }
  static inline V loadn(const float* p, int n) { return _mm512_maskz_loadu_ps(tail(n), p); }
  static inline void storen(float* p, V v, int n) { _mm512_mask_storeu_ps(p, tail(n), v); }
  static inline V bcast(const float* p) { return _mm512_set1_ps(*p); }
  static inline V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static inline V add(V a, V b) { return _mm512_add_ps(a, b); }
  static inline V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static inline V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static inline V div(V a, V b) { return _mm512_div_ps(a, b); }
  /** a < b ? b : a (wasm pmax: NaN in a stays). x86 max(b, a) returns a when unordered. */
  static inline V pmax(V a, V b) { return _mm512_max_ps(b, a); }
  /** b < a ? b : a (wasm pmin). */
  static inline V pmin(V a, V b) { return _mm512_min_ps(b, a); }
  /** Math.max: NaN if either is NaN. */
  static inline V maxNaN(V a, V b) {
    return _mm512_mask_add_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  }
  static inline V minNaN(V a, V b) {
    return _mm512_mask_add_ps(_mm512_min_ps(a, b), _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  }
  static inline M lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static inline M gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static inline M ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static inline M isnan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static inline M mor(M a, M b) { return static_cast<M>(a | b); }
  /** m ? a : b */
  static inline V sel(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static inline V abs(V x) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff))); }
  static inline V neg(V x) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)))); }
  /** t with the sign bit of x or-ed in. */
  static inline V orSign(V t, V x) {
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)))));
  }
  static inline V round(V x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  /** y * 2^n for integral n (vscalefps: exact, handles overflow to Inf and gradual underflow). */
  static inline V scale2(V y, V n) { return _mm512_scalef_ps(y, n); }
  static inline float hsum(V v) { return _mm512_reduce_add_ps(v); }

  // Weight-panel loads for the GEMM: lo/hi are k-rows of 8-wide panels, t of the 4-wide tail panel.
  static inline V loadPP(const float* lo, const float* hi) {
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_zextps256_ps512(_mm256_loadu_ps(lo))), _mm256_castps_pd(_mm256_loadu_ps(hi)), 1));
  }
  static inline V loadP(const float* lo) { return _mm512_maskz_loadu_ps(0x00ff, lo); }
  static inline V loadPT(const float* lo, const float* t) {
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_zextps256_ps512(_mm256_loadu_ps(lo))), _mm256_castps_pd(_mm256_zextps128_ps256(_mm_loadu_ps(t))), 1));
  }
  static inline V loadT(const float* t) { return _mm512_maskz_loadu_ps(0x000f, t); }
};

#include "kernels.inc"

}  // namespace avx512
}  // namespace kr

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace kr {
// Outside the target region: this check must run on CPUs without AVX-512.
static bool avx512Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const KernelSet* kernelsAvx512() {
  static const KernelSet ks = {"avx512", avx512::run, avx512::peakFlops, avx512Supported};
  return &ks;
}
}  // namespace kr

#else  // !KR_X86

namespace kr {
const KernelSet* kernelsAvx512() { return nullptr; }
}  // namespace kr

#endif
