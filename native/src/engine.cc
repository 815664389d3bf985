// Program validation: the wasm interpreter is memory-safe by construction (linear memory bounds), native code is
// not, so before a program runs for the first time on a buffer every operand range of every step is checked
// against the buffer's length (addon.cc caches the verdict; programs are immutable after WasmProgram.finish()).

#include <cstdlib>
#include <initializer_list>
#include <cstring>
#include <memory>

#include "engine.h"
#include "step_encoding.h"

namespace kr {
namespace {

struct Checker {
  const int32_t* w;
  uint64_t length;
  bool ok = true;

  int64_t i(int f) const { return w[f]; }

  void dims(std::initializer_list<int> fields) {
    for (int f : fields)
      if (w[f] < 0) ok = false;
  }
  /** [addr, addr + 4 * floats) must lie inside the buffer; addr 0 with `optional` means "none". */
  void range(int field, uint64_t floats, bool optional = false) {
    uint64_t addr = static_cast<uint32_t>(w[field]);
    if (optional && addr == 0) return;
    if (addr + 4 * floats > length) ok = false;
  }
};

uint64_t packedFloats(uint64_t K, uint64_t N) {
  uint64_t rem = N % PANEL;
  uint64_t wide = N / PANEL + (rem > static_cast<uint64_t>(PANEL_TAIL) ? 1 : 0);
  uint64_t narrow = rem > 0 && rem <= static_cast<uint64_t>(PANEL_TAIL) ? 1 : 0;
  return K * (wide * PANEL + narrow * PANEL_TAIL);
}

bool checkStep(const int32_t* w, uint64_t length) {
  Checker c{w, length};
  switch (w[F_OP]) {
    case OP_COPY:
    case OP_ACTIVATION:
      c.dims({F_N});
      if (!c.ok) return false;
      c.range(F_X, c.i(F_N));
      c.range(F_Y, c.i(F_N));
      return c.ok;
    case OP_DENSE: {
      c.dims({F_M, F_K, F_N});
      if (!c.ok) return false;
      uint64_t M = c.i(F_M), K = c.i(F_K), N = c.i(F_N);
      c.range(F_X, M * K);
      c.range(F_W, packedFloats(K, N));
      c.range(F_B, N, true);
      c.range(F_Y, M * N);
      return c.ok;
    }
    case OP_CONV2D_IM2COL:
    case OP_CONV2D_DIRECT:
#ifdef KR_HAVE_OP_CONV2D_WINOGRAD
    case OP_CONV2D_WINOGRAD:
    case OP_CONV2D_WINOGRAD_F4:
#endif
    case OP_DEPTHWISE_CONV2D:
    case OP_MAXPOOL:
    case OP_AVGPOOL: {
      int op = w[F_OP];
      bool pool = op == OP_MAXPOOL || op == OP_AVGPOOL;
      c.dims({F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_KH, F_KW, F_PT, F_PL});
      if (!pool) c.dims({F_OC});
      if (!c.ok) return false;
      if (w[F_SH] < 1 || w[F_SW] < 1) return false;
      if (!pool && (w[F_DH] < 1 || w[F_DW] < 1)) return false;
      uint64_t B = c.i(F_BATCH), ih = c.i(F_IH), iw = c.i(F_IW), ic = c.i(F_IC), oh = c.i(F_OH), ow = c.i(F_OW);
      uint64_t kh = c.i(F_KH), kw = c.i(F_KW);
      uint64_t oc = pool ? ic : static_cast<uint64_t>(c.i(F_OC));
      c.range(F_X, B * ih * iw * ic);
      c.range(F_Y, B * oh * ow * oc);
#ifdef KR_HAVE_OP_CONV2D_WINOGRAD
      if (op == OP_CONV2D_WINOGRAD || op == OP_CONV2D_WINOGRAD_F4) {
        // F(2x2, r x r), r = 3 or 5, or F(4x4, 3x3); unit strides and dilations; t*t packed [cin, cout] matrices
        // (t = m + r - 1).
        if (kh != kw || (kh != 3 && kh != 5) || w[F_SH] != 1 || w[F_SW] != 1 || w[F_DH] != 1 || w[F_DW] != 1) return false;
        if (op == OP_CONV2D_WINOGRAD_F4 && kh != 3) return false;
        const uint64_t t = (op == OP_CONV2D_WINOGRAD_F4 ? 4 : 2) + kh - 1;
        c.range(F_W, t * t * packedFloats(ic, oc));
        c.range(F_B, oc, true);
        return c.ok;
      }
#endif
      if (op == OP_CONV2D_IM2COL || op == OP_CONV2D_DIRECT) {
        c.range(F_W, packedFloats(kh * kw * ic, oc));
        c.range(F_B, oc, true);
      } else if (op == OP_DEPTHWISE_CONV2D) {
        if (w[F_MULT] < 1 || static_cast<uint64_t>(w[F_MULT]) * ic != oc) return false;
        c.range(F_W, kh * kw * oc);
        c.range(F_B, oc, true);
      }
      return c.ok;
    }
    case OP_SOFTMAX: {
      c.dims({F_M, F_N});
      if (!c.ok) return false;
      uint64_t n = static_cast<uint64_t>(c.i(F_M)) * static_cast<uint64_t>(c.i(F_N));
      c.range(F_X, n);
      c.range(F_Y, n);
      return c.ok;
    }
    case OP_BINARY: {
      c.dims({F_M, F_N});
      if (!c.ok) return false;
      uint64_t rows = c.i(F_M), cols = c.i(F_N);
      auto count = [&](int mode) -> uint64_t { return mode == BCAST_FULL ? rows * cols : mode == BCAST_ROW ? cols : 1; };
      int am = w[F_AMODE], bm = w[F_BMODE];
      if (am < BCAST_FULL || am > BCAST_SCALAR || bm < BCAST_FULL || bm > BCAST_SCALAR) return false;
      if (rows * cols > 0) {
        c.range(F_X, count(am));
        c.range(F_W, count(bm));
      }
      c.range(F_Y, rows * cols);
      return c.ok;
    }
    default:
      return true;  // bad opcodes are reported by run()
  }
}

}  // namespace

namespace {
struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
struct Scratch {
  std::unique_ptr<void, AlignedFree> data;
  size_t bytes = 0;
  void* get(size_t want) {
    if (want > bytes) {
      size_t n = (want + 4095) & ~static_cast<size_t>(4095);
      void* p = nullptr;
#if defined(_WIN32)
      p = std::malloc(n);
#else
      if (posix_memalign(&p, 64, n) != 0) p = nullptr;
#endif
      if (!p) std::abort();
      data.reset(p);
      bytes = n;
    }
    return data.get();
  }
};
thread_local Scratch tFloats, tPointers, tZeros;
thread_local size_t tZeroBytes = 0;
}  // namespace

float* threadScratchFloats(size_t floats) { return static_cast<float*>(tFloats.get(floats * sizeof(float))); }
const float** threadScratchPointers(size_t count) { return static_cast<const float**>(tPointers.get(count * sizeof(void*))); }

const float* threadZeros(size_t floats) {
  void* p = tZeros.get(floats * sizeof(float));
  if (tZeros.bytes > tZeroBytes) {
    std::memset(p, 0, tZeros.bytes);
    tZeroBytes = tZeros.bytes;
  }
  return static_cast<const float*>(p);
}

int validateProgram(const uint8_t* base, size_t length, uint32_t program, int steps) {
  if (steps < 0) return 0;
  if (static_cast<uint64_t>(program) + static_cast<uint64_t>(steps) * STEP_BYTES > length || (program & 3) != 0) return 0;
  for (int s = 0; s < steps; s++) {
    const int32_t* w = reinterpret_cast<const int32_t*>(base + program + static_cast<size_t>(s) * STEP_BYTES);
    if (!checkStep(w, length)) return s;
  }
  return -1;
}

}  // namespace kr
