// The portable kernel set (any CPU, any compiler): "vectors" of 8 floats as plain arrays with per-lane loops,
// which compilers turn into SSE2 / NEON code. Same algorithms and tiles as the SIMD sets (4 x 8 GEMM tile), so
// the program interpreter and every kernel are shared (kernels.inc); only speed differs.

#include <cmath>
#include <cstring>

#include "engine.h"
#include "step_encoding.h"

namespace kr {
namespace generic {

#if defined(__GNUC__) || defined(__clang__)
// GCC / Clang vector extensions, 128 bits (SSE2 on x86-64, NEON on arm64: the portable set is what Apple
// silicon runs); a "vector" of 8 lanes is two of them, so it covers one 8-wide weight panel like AVX2's ymm.
// Plain C semantics (no FMA contraction in -std=c++17).
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

struct I {
  static constexpr const char* name = "generic";
  static constexpr int W = 8;
  static constexpr int PPC = 1;
  static constexpr int MR = 4;
  static constexpr int NV = 1;
  static constexpr int NREG = 16;
  struct V {
    v4f a, b;
  };
  struct M {
    v4i a, b;
  };

  static inline V mk(v4f a, v4f b) { return V{a, b}; }
  static inline V zero() { return V{v4f{}, v4f{}}; }
  static inline V set1(float x) { v4f v = v4f{} + x; return V{v, v}; }
  static inline V load(const float* p) { V r; std::memcpy(&r.a, p, 16); std::memcpy(&r.b, p + 4, 16); return r; }
  static inline void store(float* p, V v) { std::memcpy(p, &v.a, 16); std::memcpy(p + 4, &v.b, 16); }
  static inline V loadn(const float* p, int n) {
    alignas(16) float t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int l = 0; l < n; l++) t[l] = p[l];
    return load(t);
  }
  static inline void storen(float* p, V v, int n) {
    alignas(16) float t[8];
    store(t, v);
    for (int l = 0; l < n; l++) p[l] = t[l];
  }
  static inline V bcast(const float* p) { return set1(*p); }
  static inline V fma(V x, V y, V z) { return V{x.a * y.a + z.a, x.b * y.b + z.b}; }
  static inline V add(V x, V y) { return V{x.a + y.a, x.b + y.b}; }
  static inline V sub(V x, V y) { return V{x.a - y.a, x.b - y.b}; }
  static inline V mul(V x, V y) { return V{x.a * y.a, x.b * y.b}; }
  static inline V div(V x, V y) { return V{x.a / y.a, x.b / y.b}; }
  static inline V pmax(V x, V y) { return V{x.a < y.a ? y.a : x.a, x.b < y.b ? y.b : x.b}; }
  static inline V pmin(V x, V y) { return V{y.a < x.a ? y.a : x.a, y.b < x.b ? y.b : x.b}; }
  static inline v4f max4(v4f x, v4f y) { return (x != x) | (y != y) ? x + y : (x > y ? x : y); }
  static inline v4f min4(v4f x, v4f y) { return (x != x) | (y != y) ? x + y : (x < y ? x : y); }
  static inline V maxNaN(V x, V y) { return V{max4(x.a, y.a), max4(x.b, y.b)}; }
  static inline V minNaN(V x, V y) { return V{min4(x.a, y.a), min4(x.b, y.b)}; }
  static inline M lt(V x, V y) { return M{x.a < y.a, x.b < y.b}; }
  static inline M gt(V x, V y) { return M{x.a > y.a, x.b > y.b}; }
  static inline M ge(V x, V y) { return M{x.a >= y.a, x.b >= y.b}; }
  static inline M isnan(V x) { return M{x.a != x.a, x.b != x.b}; }
  static inline M mor(M x, M y) { return M{x.a | y.a, x.b | y.b}; }
  static inline V sel(M m, V x, V y) { return V{m.a ? x.a : y.a, m.b ? x.b : y.b}; }
  static inline v4f abs4(v4f x) { return (v4f)((v4i)x & 0x7fffffff); }
  static inline V abs(V x) { return V{abs4(x.a), abs4(x.b)}; }
  static inline V neg(V x) { return V{-x.a, -x.b}; }
  static inline v4f orSign4(v4f t, v4f x) { return (v4f)((v4i)t | ((v4i)x & static_cast<int32_t>(0x80000000u))); }
  static inline V orSign(V t, V x) { return V{orSign4(t.a, x.a), orSign4(t.b, x.b)}; }
  static inline V round(V x) {
    alignas(16) float t[8];
    store(t, x);
    for (int l = 0; l < 8; l++) t[l] = std::nearbyint(t[l]);
    return load(t);
  }
  static inline V scale2(V y, V n) {
    alignas(16) float t[8], e[8];
    store(t, y);
    store(e, n);
    for (int l = 0; l < 8; l++) t[l] = e[l] != e[l] ? t[l] : std::ldexp(t[l], static_cast<int>(e[l]));
    return load(t);
  }
  static inline float hsum(V v) {
    v4f s = v.a + v.b;
    return (s[0] + s[1]) + (s[2] + s[3]);
  }

  static inline V loadPP(const float* lo, const float*) { return load(lo); }
  static inline V loadP(const float* lo) { return load(lo); }
  static inline V loadPT(const float* lo, const float*) { return load(lo); }
  static inline V loadT(const float* t) { v4f a; std::memcpy(&a, t, 16); return V{a, v4f{}}; }
};

#else  // other compilers (MSVC): plain arrays with per-lane loops

struct I {
  static constexpr const char* name = "generic";
  static constexpr int W = 8;
  static constexpr int PPC = 1;
  static constexpr int MR = 4;
  static constexpr int NV = 1;
  static constexpr int NREG = 16;
  struct V {
    float v[8];
  };
  struct M {
    bool v[8];
  };
#define KR_LANES for (int l = 0; l < 8; l++)

  static inline V zero() { V r; KR_LANES r.v[l] = 0.f; return r; }
  static inline V set1(float x) { V r; KR_LANES r.v[l] = x; return r; }
  static inline V load(const float* p) { V r; std::memcpy(r.v, p, sizeof r.v); return r; }
  static inline void store(float* p, V v) { std::memcpy(p, v.v, sizeof v.v); }
  static inline V loadn(const float* p, int n) { V r = zero(); for (int l = 0; l < n; l++) r.v[l] = p[l]; return r; }
  static inline void storen(float* p, V v, int n) { for (int l = 0; l < n; l++) p[l] = v.v[l]; }
  static inline V bcast(const float* p) { return set1(*p); }
  static inline V fma(V a, V b, V c) { V r; KR_LANES r.v[l] = a.v[l] * b.v[l] + c.v[l]; return r; }
  static inline V add(V a, V b) { V r; KR_LANES r.v[l] = a.v[l] + b.v[l]; return r; }
  static inline V sub(V a, V b) { V r; KR_LANES r.v[l] = a.v[l] - b.v[l]; return r; }
  static inline V mul(V a, V b) { V r; KR_LANES r.v[l] = a.v[l] * b.v[l]; return r; }
  static inline V div(V a, V b) { V r; KR_LANES r.v[l] = a.v[l] / b.v[l]; return r; }
  static inline V pmax(V a, V b) { V r; KR_LANES r.v[l] = a.v[l] < b.v[l] ? b.v[l] : a.v[l]; return r; }
  static inline V pmin(V a, V b) { V r; KR_LANES r.v[l] = b.v[l] < a.v[l] ? b.v[l] : a.v[l]; return r; }
  static inline V maxNaN(V a, V b) {
    V r;
    KR_LANES r.v[l] = (a.v[l] != a.v[l] || b.v[l] != b.v[l]) ? a.v[l] + b.v[l] : (a.v[l] > b.v[l] ? a.v[l] : b.v[l]);
    return r;
  }
  static inline V minNaN(V a, V b) {
    V r;
    KR_LANES r.v[l] = (a.v[l] != a.v[l] || b.v[l] != b.v[l]) ? a.v[l] + b.v[l] : (a.v[l] < b.v[l] ? a.v[l] : b.v[l]);
    return r;
  }
  static inline M lt(V a, V b) { M m; KR_LANES m.v[l] = a.v[l] < b.v[l]; return m; }
  static inline M gt(V a, V b) { M m; KR_LANES m.v[l] = a.v[l] > b.v[l]; return m; }
  static inline M ge(V a, V b) { M m; KR_LANES m.v[l] = a.v[l] >= b.v[l]; return m; }
  static inline M isnan(V a) { M m; KR_LANES m.v[l] = a.v[l] != a.v[l]; return m; }
  static inline M mor(M a, M b) { M m; KR_LANES m.v[l] = a.v[l] || b.v[l]; return m; }
  static inline V sel(M m, V a, V b) { V r; KR_LANES r.v[l] = m.v[l] ? a.v[l] : b.v[l]; return r; }
  static inline V abs(V x) { V r; KR_LANES r.v[l] = std::fabs(x.v[l]); return r; }
  static inline V neg(V x) { V r; KR_LANES r.v[l] = -x.v[l]; return r; }
  static inline V orSign(V t, V x) { V r; KR_LANES r.v[l] = std::signbit(x.v[l]) ? -std::fabs(t.v[l]) : t.v[l]; return r; }
  static inline V round(V x) { V r; KR_LANES r.v[l] = std::nearbyint(x.v[l]); return r; }
  static inline V scale2(V y, V n) {
    V r;
    KR_LANES r.v[l] = n.v[l] != n.v[l] ? y.v[l] : std::ldexp(y.v[l], static_cast<int>(n.v[l]));
    return r;
  }
  static inline float hsum(V v) { float s = 0; KR_LANES s += v.v[l]; return s; }
#undef KR_LANES

  static inline V loadPP(const float* lo, const float*) { return load(lo); }
  static inline V loadP(const float* lo) { return load(lo); }
  static inline V loadPT(const float* lo, const float*) { return load(lo); }
  static inline V loadT(const float* t) { return loadn(t, 4); }
};

#endif

#include "kernels.inc"

}  // namespace generic

static bool genericSupported() { return true; }

const KernelSet* kernelsGeneric() {
  static const KernelSet ks = {"generic", generic::run, generic::peakFlops, genericSupported};
  return &ks;
}

}  // namespace kr
