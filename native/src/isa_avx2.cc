// The AVX2 + FMA kernel set: 8-lane ymm vectors, one vector per 8-wide weight panel; GEMM register tile
// 6 rows x 16 columns (12 accumulators + 2 panel vectors + 1 broadcast of x86-64's 16 ymm registers).
// Compiled with a target pragma; selected at load time when CPUID reports AVX2 and FMA (and no AVX-512).

#include "engine.h"

#if KR_X86
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "step_encoding.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

namespace kr {
namespace avx2 {

alignas(32) static const int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

struct I {
  static constexpr const char* name = "avx2";
  static constexpr int W = 8;
  static constexpr int PPC = 1;
  static constexpr int MR = 6;
  static constexpr int NV = 2;
  static constexpr int NREG = 16;
  using V = __m256;
  using M = __m256;

  static inline V zero() { return _mm256_setzero_ps(); }
  static inline V set1(float x) { return _mm256_set1_ps(x); }
  static inline V load(const float* p) { return _mm256_loadu_ps(p); }
  static inline void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static inline __m256i tail(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - n)); }
  static inline V loadn(const float* p, int n) { return _mm256_maskload_ps(p, tail(n)); }
  static inline void storen(float* p, V v, int n) { _mm256_maskstore_ps(p, tail(n), v); }
  static inline V bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static inline V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static inline V add(V a, V b) { return _mm256_add_ps(a, b); }
  static inline V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static inline V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static inline V div(V a, V b) { return _mm256_div_ps(a, b); }
  static inline V pmax(V a, V b) { return _mm256_max_ps(b, a); }
  static inline V pmin(V a, V b) { return _mm256_min_ps(b, a); }
  static inline V maxNaN(V a, V b) { return _mm256_blendv_ps(_mm256_max_ps(a, b), _mm256_add_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q)); }
  static inline V minNaN(V a, V b) { return _mm256_blendv_ps(_mm256_min_ps(a, b), _mm256_add_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q)); }
  static inline M lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static inline M gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static inline M ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static inline M isnan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static inline M mor(M a, M b) { return _mm256_or_ps(a, b); }
  static inline V sel(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static inline V abs(V x) { return _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
  static inline V neg(V x) { return _mm256_xor_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u)))); }
  static inline V orSign(V t, V x) { return _mm256_or_ps(t, _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u))))); }
  static inline V round(V x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  /** y * 2^n for integral n in [-252, 254] as two power-of-two factors (each a valid normal exponent). */
  static inline V scale2(V y, V n) {
    __m256i ni = _mm256_cvttps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1);
    __m256i n2 = _mm256_sub_epi32(ni, n1);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(y, s1), s2);
  }
  static inline float hsum(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }

  static inline V loadPP(const float* lo, const float*) { return _mm256_loadu_ps(lo); }
  static inline V loadP(const float* lo) { return _mm256_loadu_ps(lo); }
  static inline V loadPT(const float* lo, const float*) { return _mm256_loadu_ps(lo); }
  static inline V loadT(const float* t) { return _mm256_zextps128_ps256(_mm_loadu_ps(t)); }
};

#include "kernels.inc"

}  // namespace avx2
}  // namespace kr

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace kr {
static bool avx2Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const KernelSet* kernelsAvx2() {
  static const KernelSet ks = {"avx2", avx2::run, avx2::peakFlops, avx2Supported};
  return &ks;
}
}  // namespace kr

#else  // !KR_X86

namespace kr {
const KernelSet* kernelsAvx2() { return nullptr; }
}  // namespace kr

#endif
