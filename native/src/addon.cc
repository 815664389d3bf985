// The Node-API surface of kerasrt's native back end (C API only: node_api.h). JavaScript gives each program
// run the memory's ArrayBuffer; the addon reads step records and tensors straight from it (no copies).
//
//   kernels: { generic, avx2?, avx512? }  each { run(buffer, program, steps): number, peakGflops(iters) }
//   validate(buffer, program, steps): number      -1, or the first step reaching outside the buffer
//   best: name of the fastest kernel set this CPU supports (chosen from CPUID at load time)
//   threads(): number, setThreads(n): number     the batch thread pool (single-sample steps never use it)
//   constants(): { [name]: number }               the program-format constants it was compiled with
//
// run() returns 0, or 1 + the index of a step with a bad opcode (like the wasm interpreter). It trusts the
// program: native code has no linear-memory bounds, so the loader (src/kernels/native/loader.ts) validates each
// program once before its first run (programs are immutable after WasmProgram.finish()).

#include <node_api.h>

#include <chrono>
#include <cstdio>

#include "engine.h"
#include "pack.h"
#include "step_encoding.h"

namespace {

using kr::KernelSet;

#define KR_CALL(env, call)                                          \
  do {                                                              \
    if ((call) != napi_ok) {                                        \
      napi_throw_error((env), nullptr, "kerasrt native: " #call);   \
      return nullptr;                                               \
    }                                                               \
  } while (0)

napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void* data = nullptr;
  KR_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, &data));
  const KernelSet* ks = static_cast<const KernelSet*>(data);
  void* buf = nullptr;
  size_t length = 0;
  int32_t program = 0, steps = 0;
  if (argc < 3 || napi_get_arraybuffer_info(env, argv[0], &buf, &length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &program) != napi_ok || napi_get_value_int32(env, argv[2], &steps) != napi_ok) {
    napi_throw_type_error(env, nullptr, "kerasrt native: run(buffer: ArrayBuffer, program: number, steps: number)");
    return nullptr;
  }
  uint32_t prog = static_cast<uint32_t>(program);
  int r = ks->run(static_cast<uint8_t*>(buf), prog, steps);
  napi_value out;
  KR_CALL(env, napi_create_int32(env, r, &out));
  return out;
}

/** validate(buffer, program, steps): -1 when every operand of every step lies inside the buffer, else the index
 *  of the first step that does not. The loader calls it once per program before its first run. */
napi_value Validate(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  KR_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  void* buf = nullptr;
  size_t length = 0;
  int32_t program = 0, steps = 0;
  if (argc < 3 || napi_get_arraybuffer_info(env, argv[0], &buf, &length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &program) != napi_ok || napi_get_value_int32(env, argv[2], &steps) != napi_ok) {
    napi_throw_type_error(env, nullptr, "kerasrt native: validate(buffer: ArrayBuffer, program: number, steps: number)");
    return nullptr;
  }
  napi_value out;
  KR_CALL(env, napi_create_int32(env, kr::validateProgram(static_cast<const uint8_t*>(buf), length, static_cast<uint32_t>(program), steps), &out));
  return out;
}

napi_value PeakGflops(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void* data = nullptr;
  KR_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, &data));
  const KernelSet* ks = static_cast<const KernelSet*>(data);
  double iters = 1e7;
  if (argc >= 1) napi_get_value_double(env, argv[0], &iters);
  auto t0 = std::chrono::steady_clock::now();
  double flops = ks->peakFlops(static_cast<int64_t>(iters));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  napi_value out;
  KR_CALL(env, napi_create_double(env, flops / s / 1e9, &out));
  return out;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
  KR_CALL(env, napi_create_int32(env, kr::poolThreads(), &out));
  return out;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  KR_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t n = 1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, nullptr, "kerasrt native: setThreads(n: number)");
    return nullptr;
  }
  napi_value out;
  KR_CALL(env, napi_create_int32(env, kr::setPoolThreads(n), &out));
  return out;
}

napi_value Constants(napi_env env, napi_callback_info) {
  napi_value obj;
  KR_CALL(env, napi_create_object(env, &obj));
  struct C {
    const char* name;
    int value;
  };
#define KR_C(n) {#n, kr::n}
  static const C cs[] = {
      KR_C(STEP_WORDS), KR_C(STEP_BYTES), KR_C(OP_COPY), KR_C(OP_ACTIVATION), KR_C(OP_DENSE), KR_C(OP_CONV2D_IM2COL),
      KR_C(OP_CONV2D_DIRECT), KR_C(OP_DEPTHWISE_CONV2D), KR_C(OP_MAXPOOL), KR_C(OP_AVGPOOL), KR_C(OP_SOFTMAX),
      KR_C(OP_BINARY), KR_C(F_OP), KR_C(F_ACT), KR_C(F_ALPHA), KR_C(F_BETA), KR_C(F_X), KR_C(F_W), KR_C(F_B),
      KR_C(F_Y), KR_C(F_SCRATCH), KR_C(F_M), KR_C(F_K), KR_C(F_N), KR_C(F_BATCH), KR_C(F_IH), KR_C(F_IW),
      KR_C(F_IC), KR_C(F_OH), KR_C(F_OW), KR_C(F_OC), KR_C(F_KH), KR_C(F_KW), KR_C(F_SH), KR_C(F_SW), KR_C(F_DH),
      KR_C(F_DW), KR_C(F_PT), KR_C(F_PL), KR_C(F_MC), KR_C(F_ZERO), KR_C(F_MULT), KR_C(F_FN), KR_C(F_AMODE),
      KR_C(F_BMODE), KR_C(ACT_LINEAR), KR_C(ACT_RELU), KR_C(ACT_RELU6), KR_C(ACT_CLIP), KR_C(ACT_LEAKY_RELU),
      KR_C(ACT_ELU), KR_C(ACT_SELU), KR_C(ACT_SIGMOID), KR_C(ACT_TANH), KR_C(ACT_HARD_SIGMOID),
      KR_C(ACT_HARD_SIGMOID_LINEAR), KR_C(ACT_SWISH), KR_C(ACT_HARD_SWISH), KR_C(ACT_SOFTSIGN), KR_C(ACT_EXPONENTIAL),
      KR_C(ACT_THRESHOLDED_RELU), KR_C(ACT_GELU_TANH), KR_C(ACT_SOFTPLUS), KR_C(ACT_GELU), KR_C(ACT_MISH),
      KR_C(ACT_COUNT), KR_C(BIN_ADD), KR_C(BIN_SUB), KR_C(BIN_MUL), KR_C(BIN_DIV), KR_C(BIN_MAX), KR_C(BIN_MIN),
      KR_C(BIN_POW), KR_C(BCAST_FULL), KR_C(BCAST_ROW), KR_C(BCAST_SCALAR), KR_C(PANEL), KR_C(PANEL_TAIL),
      KR_C(CONST_PAD), KR_C(KSPLIT_CHAINS), KR_C(KSPLIT_MIN), KR_C(KSPLIT_BLOCK),
  };
#undef KR_C
  for (const C& c : cs) {
    napi_value v;
    KR_CALL(env, napi_create_int32(env, c.value, &v));
    KR_CALL(env, napi_set_named_property(env, obj, c.name, v));
  }
  return obj;
}

/** Reads argv[0] as an ArrayBuffer and argv[1..n) as int32s; false (a TypeError thrown) when they are not. */
bool bufferAndInts(napi_env env, napi_value* argv, size_t argc, size_t n, uint8_t** buf, size_t* length, int32_t* ints, const char* usage) {
  void* data = nullptr;
  bool ok = argc >= n && napi_get_arraybuffer_info(env, argv[0], &data, length) == napi_ok;
  for (size_t i = 1; ok && i < n; i++) ok = napi_get_value_int32(env, argv[i], &ints[i - 1]) == napi_ok;
  if (!ok) napi_throw_type_error(env, nullptr, usage);
  *buf = static_cast<uint8_t*>(data);
  return ok;
}

/** packPanelRows(buffer, src, dst, K, N, k0, k1): pack.cc; a RangeError when an address or size is out of range. */
napi_value PackPanelRows(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  KR_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint8_t* buf = nullptr;
  size_t length = 0;
  int32_t a[6];
  if (!bufferAndInts(env, argv, argc, 7, &buf, &length, a, "kerasrt native: packPanelRows(buffer, src, dst, K, N, k0, k1)")) return nullptr;
  if (!kr::packPanelRows(buf, length, static_cast<uint32_t>(a[0]), static_cast<uint32_t>(a[1]), a[2], a[3], a[4], a[5])) {
    napi_throw_range_error(env, nullptr, "kerasrt native: packPanelRows: arguments out of range");
  }
  return nullptr;
}

/** winogradPack(buffer, src, dst, g, tmp, r, t, cin, cout): pack.cc; a RangeError when out of range. */
napi_value WinogradPack(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  KR_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint8_t* buf = nullptr;
  size_t length = 0;
  int32_t a[8];
  if (!bufferAndInts(env, argv, argc, 9, &buf, &length, a, "kerasrt native: winogradPack(buffer, src, dst, g, tmp, r, t, cin, cout)")) return nullptr;
  if (!kr::winogradPack(buf, length, static_cast<uint32_t>(a[0]), static_cast<uint32_t>(a[1]), static_cast<uint32_t>(a[2]), static_cast<uint32_t>(a[3]), a[4], a[5], a[6], a[7])) {
    napi_throw_range_error(env, nullptr, "kerasrt native: winogradPack: arguments out of range");
  }
  return nullptr;
}

napi_value Fn(napi_env env, const char* name, napi_callback cb, void* data) {
  napi_value fn = nullptr;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) != napi_ok) return nullptr;
  return fn;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value kernels;
  KR_CALL(env, napi_create_object(env, &kernels));
  const KernelSet* sets[] = {kr::kernelsGeneric(), kr::kernelsAvx2(), kr::kernelsAvx512()};
  const char* best = "generic";
  for (const KernelSet* ks : sets) {
    if (!ks || !ks->supported()) continue;
    best = ks->name;
    napi_value obj;
    KR_CALL(env, napi_create_object(env, &obj));
    KR_CALL(env, napi_set_named_property(env, obj, "run", Fn(env, "run", Run, const_cast<KernelSet*>(ks))));
    KR_CALL(env, napi_set_named_property(env, obj, "peakGflops", Fn(env, "peakGflops", PeakGflops, const_cast<KernelSet*>(ks))));
    KR_CALL(env, napi_set_named_property(env, kernels, ks->name, obj));
  }
  napi_value bestName;
  KR_CALL(env, napi_create_string_utf8(env, best, NAPI_AUTO_LENGTH, &bestName));
  KR_CALL(env, napi_set_named_property(env, exports, "kernels", kernels));
  KR_CALL(env, napi_set_named_property(env, exports, "best", bestName));
  KR_CALL(env, napi_set_named_property(env, exports, "validate", Fn(env, "validate", Validate, nullptr)));
  KR_CALL(env, napi_set_named_property(env, exports, "threads", Fn(env, "threads", Threads, nullptr)));
  KR_CALL(env, napi_set_named_property(env, exports, "setThreads", Fn(env, "setThreads", SetThreads, nullptr)));
  KR_CALL(env, napi_set_named_property(env, exports, "constants", Fn(env, "constants", Constants, nullptr)));
  KR_CALL(env, napi_set_named_property(env, exports, "packPanelRows", Fn(env, "packPanelRows", PackPanelRows, nullptr)));
  KR_CALL(env, napi_set_named_property(env, exports, "winogradPack", Fn(env, "winogradPack", WinogradPack, nullptr)));
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }
