// Compile-time weight packing for the native back end, the twin of src/kernels/wasm/as/pack.ts: the same
// layouts and, for Winograd, the same float64 operations in the same order (so the same bits as the JavaScript
// packing in src/kernels/wasm/program.ts and winograd.ts). Why native code: a model is compiled once, and the
// JavaScript loops ran cold, ~40 ms of deep-mnist's compile. Every address is checked against the buffer first:
// native code has no linear-memory sandbox.

#include "pack.h"

#include <cstdint>
#include <cstring>

#include "step_encoding.h"

// Products must be rounded before they are added, as in JavaScript: no fused multiply-add contraction.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace kr {
namespace {

bool inside(size_t length, uint64_t at, uint64_t bytes) { return at <= length && bytes <= length - at; }

uint64_t packedFloats(int64_t K, int64_t N) {
  const int64_t full = N / PANEL;
  const int64_t rem = N - full * PANEL;
  return static_cast<uint64_t>(K * (full * PANEL + (rem == 0 ? 0 : rem <= PANEL_TAIL ? PANEL_TAIL : PANEL)));
}

uint64_t packedIndex(int64_t K, int64_t N, int64_t k, int64_t col) {
  const int64_t c0 = (col / PANEL) * PANEL;
  const int64_t width = N - c0 <= PANEL_TAIL ? PANEL_TAIL : PANEL;
  return static_cast<uint64_t>(c0 * K + k * width + (col - c0));
}

}  // namespace

bool packPanelRows(uint8_t* buf, size_t length, uint32_t src, uint32_t dst, int32_t K, int32_t N, int32_t k0, int32_t k1) {
  if (K < 1 || N < 1 || k0 < 0 || k1 <= k0 || k1 > K) return false;
  if (!inside(length, src, 4ull * static_cast<uint64_t>(k1 - k0) * static_cast<uint64_t>(N))) return false;
  if (!inside(length, dst, 4ull * packedFloats(K, N))) return false;
  const float* s = reinterpret_cast<const float*>(buf + src);
  float* d = reinterpret_cast<float*>(buf + dst);
  const int64_t full = N / PANEL;
  for (int64_t p = 0; p < full; p++) {
    const int64_t c0 = p * PANEL;
    for (int64_t k = k0; k < k1; k++) std::memcpy(d + c0 * K + k * PANEL, s + (k - k0) * N + c0, PANEL * sizeof(float));
  }
  const int64_t c0 = full * PANEL;
  if (c0 < N) {
    const int64_t width = N - c0 <= PANEL_TAIL ? PANEL_TAIL : PANEL;
    for (int64_t k = k0; k < k1; k++) {
      for (int64_t j = 0; j < width; j++) d[c0 * K + k * width + j] = c0 + j < N ? s[(k - k0) * N + c0 + j] : 0.0f;
    }
  }
  return true;
}

bool winogradPack(uint8_t* buf, size_t length, uint32_t src, uint32_t dst, uint32_t g, uint32_t tmp, int32_t r, int32_t t, int32_t cin, int32_t cout) {
  if (r < 1 || r > 16 || t < r || t > 16 || cin < 1 || cout < 1) return false;
  const uint64_t ps = packedFloats(cin, cout);
  if (!inside(length, src, 4ull * r * r * static_cast<uint64_t>(cin) * static_cast<uint64_t>(cout))) return false;
  if (!inside(length, dst, 4ull * t * t * ps)) return false;
  if (!inside(length, g, 8ull * t * r) || !inside(length, tmp, 8ull * t * r) || g % 8 != 0 || tmp % 8 != 0) return false;
  const float* w = reinterpret_cast<const float*>(buf + src);
  float* d = reinterpret_cast<float*>(buf + dst);
  const double* G = reinterpret_cast<const double*>(buf + g);
  double* gt = reinterpret_cast<double*>(buf + tmp);
  std::memset(d, 0, 4ull * t * t * ps);
  for (int64_t ci = 0; ci < cin; ci++) {
    for (int64_t co = 0; co < cout; co++) {
      // (G g)[i][b] = sum_a G[i][a] g[a][b], a in order from 0 (as winograd.ts).
      for (int64_t i = 0; i < t; i++) {
        for (int64_t b = 0; b < r; b++) {
          double s = 0;
          for (int64_t a = 0; a < r; a++) s += G[i * r + a] * static_cast<double>(w[((a * r + b) * cin + ci) * cout + co]);
          gt[i * r + b] = s;
        }
      }
      const uint64_t at = packedIndex(cin, cout, ci, co);
      for (int64_t i = 0; i < t; i++) {
        for (int64_t j = 0; j < t; j++) {
          double s = 0;
          for (int64_t b = 0; b < r; b++) s += gt[i * r + b] * G[j * r + b];
          d[static_cast<uint64_t>(i * t + j) * ps + at] = static_cast<float>(s);
        }
      }
    }
  }
  return true;
}

}  // namespace kr
