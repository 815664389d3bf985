// kerasrt wasm kernels: the program interpreter. One exported call, run(program, steps), executes a whole
// execution plan; step records and opcodes are defined in ../step-encoding.ts. Built twice by
// scripts/build-wasm.mjs: SIMD (mul + add) and relaxed SIMD (f32x4.relaxed_madd). No allocator (--runtime stub):
// the TypeScript side lays out linear memory and grows it once, before the first run.

import {
  STEP_BYTES, OP_COPY, OP_ACTIVATION, OP_DENSE, OP_CONV2D_IM2COL, OP_CONV2D_DIRECT, OP_DEPTHWISE_CONV2D,
  OP_MAXPOOL, OP_AVGPOOL, OP_SOFTMAX, OP_BINARY, F_OP, F_X, F_W, F_B, F_Y, F_M, F_K, F_N, F_ACT, F_ALPHA, F_BETA,
} from "../step-encoding";
import { OP_CONV2D_WINOGRAD, OP_CONV2D_WINOGRAD_F4 } from "../step-encoding-ext";
import { gemm } from "./gemm";
import { conv2dIm2col, conv2dDirect, depthwiseConv2d } from "./conv";
import { pool2d } from "./pool";
import { conv2dWinograd } from "./winograd";
import { softmaxRows, binary, activation } from "./eltwise";
import { fma, splat } from "./simd";

// Compile-time weight packing (program.ts finish()).
export { packPanelRows, winogradPack } from "./pack";

// @ts-ignore: decorator
@inline function fld(p: usize, f: i32): i32 {
  return load<i32>(p + (<usize>f << 2));
}

/** First byte the TypeScript allocator may use (after the module's static data), 64-byte aligned. */
export function heapBase(): i32 {
  return <i32>((__heap_base + 63) & ~(<usize>63));
}

/** 1 in the relaxed-SIMD build, 0 in the plain SIMD build. */
export function isRelaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Runs `steps` step records starting at byte address `program`. Returns 0, or 1 + the index of a bad step. */
export function run(program: i32, steps: i32): i32 {
  for (let s = 0; s < steps; s++) {
    const p = <usize>program + <usize>s * STEP_BYTES;
    const op = fld(p, F_OP);
    switch (op) {
      case OP_DENSE:
        gemm(<usize>fld(p, F_X), fld(p, F_K), <usize>fld(p, F_W), <usize>fld(p, F_B), <usize>fld(p, F_Y), fld(p, F_N),
          fld(p, F_M), fld(p, F_K), fld(p, F_N), fld(p, F_ACT), load<f32>(p + (<usize>F_ALPHA << 2)),
          load<f32>(p + (<usize>F_BETA << 2)));
        break;
      case OP_CONV2D_IM2COL: conv2dIm2col(p); break;
      case OP_CONV2D_DIRECT: conv2dDirect(p); break;
      case OP_CONV2D_WINOGRAD: conv2dWinograd(p, 2); break;
      case OP_CONV2D_WINOGRAD_F4: conv2dWinograd(p, 4); break;
      case OP_DEPTHWISE_CONV2D: depthwiseConv2d(p); break;
      case OP_MAXPOOL: pool2d(p, true); break;
      case OP_AVGPOOL: pool2d(p, false); break;
      case OP_SOFTMAX: softmaxRows(<usize>fld(p, F_X), <usize>fld(p, F_Y), fld(p, F_M), fld(p, F_N)); break;
      case OP_BINARY: binary(p); break;
      case OP_ACTIVATION: activation(p); break;
      case OP_COPY: memory.copy(<usize>fld(p, F_Y), <usize>fld(p, F_X), <usize>fld(p, F_N) << 2); break;
      default: return s + 1;
    }
  }
  return 0;
}

/**
 * Benchmark probe (bench/wasm-gemm.ts): `iters` rounds of 9 f32x4 multiply-adds with all operands in registers,
 * 72 flops per round, using the same fma() as the kernels. Eight accumulators take acc += x_i * y_j over 4 x 2
 * distinct products (the GEMM tile's pattern: only the accumulate is loop-carried), the ninth updates y. Every
 * multiplicand is a loop phi (x pairs and y pair swap each round): TurboFan would otherwise hoist or CSE the
 * products, or rematerialise invariant vectors inside the loop. 8 + 6 live vectors fit 15 xmm registers.
 * Pass x = 1e-7. Returns a sum so the loop is not dead code.
 */
export function peakFma(iters: i32, x: f32): f32 {
  let a0 = splat(0.0), a1 = splat(0.0), a2 = splat(0.0), a3 = splat(0.0);
  let a4 = splat(0.0), a5 = splat(0.0), a6 = splat(0.0), a7 = splat(0.0);
  let x0 = splat(x), x1 = splat(2 * x), x2 = splat(3 * x), x3 = splat(4 * x);
  let y0 = splat(1.0), y1 = splat(1.0 + x);
  for (let i = 0; i < iters; i++) {
    a0 = fma(x0, y0, a0); a1 = fma(x1, y0, a1); a2 = fma(x2, y0, a2); a3 = fma(x3, y0, a3);
    a4 = fma(x0, y1, a4); a5 = fma(x1, y1, a5); a6 = fma(x2, y1, a6); a7 = fma(x3, y1, a7);
    y0 = fma(y0, x0, y0);
    let t = x0; x0 = x1; x1 = t;
    t = x2; x2 = x3; x3 = t;
    t = y0; y0 = y1; y1 = t;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const u = f32x4.add(s, f32x4.add(y0, y1));
  return f32x4.extract_lane(u, 0) + f32x4.extract_lane(u, 1) + f32x4.extract_lane(u, 2) + f32x4.extract_lane(u, 3);
}
