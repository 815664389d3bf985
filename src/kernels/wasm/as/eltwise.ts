// Row-wise and element-wise steps: softmax over the last axis, binary ops with row / scalar broadcast, copy,
// standalone activation. Vector bodies with scalar tails that follow the same float32 semantics.

import {
  F_X, F_W, F_Y, F_M, F_N, F_FN, F_AMODE, F_BMODE, F_ACT, F_ALPHA, F_BETA, ACT_LINEAR,
  BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_MAX, BIN_MIN, BIN_POW, BCAST_FULL, BCAST_SCALAR,
} from "../step-encoding";
import { splat, vexpNeg, actv, actRow, mulFtz, divFtz } from "./simd";

// @ts-ignore: decorator
@inline function fld(p: usize, f: i32): i32 {
  return load<i32>(p + (<usize>f << 2));
}

/** y[r, :] = softmax(x[r, :]) for rows of length n: max-shifted exp (of x - max <= 0), then divided by the row sum. */
export function softmaxRows(x: usize, y: usize, rows: i32, n: i32): void {
  const nB = <usize>n << 2;
  const n4 = <usize>(n & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * nB;
    const yr = y + <usize>r * nB;
    let vm = splat(-Infinity);
    let i: usize = 0;
    for (; i < n4; i += 16) vm = f32x4.max(vm, v128.load(xr + i));
    let m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
    for (; i < nB; i += 4) m = max(m, load<f32>(xr + i));
    const sm = splat(m);
    let vs = splat(0.0);
    for (i = 0; i < n4; i += 16) {
      const e = vexpNeg(f32x4.sub(v128.load(xr + i), sm));
      v128.store(yr + i, e);
      vs = f32x4.add(vs, e);
    }
    let s = (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1)) + (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    for (; i < nB; i += 4) {
      const e = f32x4.extract_lane(vexpNeg(splat(load<f32>(xr + i) - m)), 0);
      store<f32>(yr + i, e);
      s += e;
    }
    const vt = splat(s);
    for (i = 0; i < n4; i += 16) v128.store(yr + i, f32x4.div(v128.load(yr + i), vt));
    for (; i < nB; i += 4) store<f32>(yr + i, load<f32>(yr + i) / s);
  }
}

/** C99 Annex F pow, as TensorFlow (and src/ops/binary.ts powIeee): pow(1, y) = 1, pow(-1, +-Inf) = 1. */
function powIeee(x: f32, y: f32): f32 {
  if (x == 1) return 1;
  if (x == -1 && Mathf.abs(y) == Infinity) return 1;
  return <f32>Math.pow(<f64>x, <f64>y);
}

// @ts-ignore: decorator
@inline function binv(fn: i32, a: v128, b: v128): v128 {
  switch (fn) {
    case BIN_ADD: return f32x4.add(a, b);
    case BIN_SUB: return f32x4.sub(a, b);
    case BIN_MUL: return mulFtz(a, b);
    case BIN_DIV: return divFtz(a, b);
    case BIN_MAX: return f32x4.max(a, b);
    case BIN_MIN: return f32x4.min(a, b);
    case BIN_POW: {
      let r = splat(0.0);
      r = f32x4.replace_lane(r, 0, powIeee(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
      r = f32x4.replace_lane(r, 1, powIeee(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
      r = f32x4.replace_lane(r, 2, powIeee(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
      r = f32x4.replace_lane(r, 3, powIeee(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
      return r;
    }
    default: return splat(NaN);
  }
}

export function binary(p: usize): void {
  const a = <usize>fld(p, F_X), b = <usize>fld(p, F_W), y = <usize>fld(p, F_Y);
  const rows = fld(p, F_M), cols = fld(p, F_N), fn = fld(p, F_FN);
  const am = fld(p, F_AMODE), bm = fld(p, F_BMODE);
  const act = fld(p, F_ACT), alpha = load<f32>(p + (<usize>F_ALPHA << 2)), beta = load<f32>(p + (<usize>F_BETA << 2));
  const colsB = <usize>cols << 2;
  const c4 = <usize>(cols & ~3) << 2;
  const sa = splat(load<f32>(a)), sb = splat(load<f32>(b));
  for (let r = 0; r < rows; r++) {
    const pa = am == BCAST_FULL ? a + <usize>r * colsB : a;
    const pb = bm == BCAST_FULL ? b + <usize>r * colsB : b;
    const py = y + <usize>r * colsB;
    let i: usize = 0;
    for (; i < c4; i += 16) {
      const va = am == BCAST_SCALAR ? sa : v128.load(pa + i);
      const vb = bm == BCAST_SCALAR ? sb : v128.load(pb + i);
      v128.store(py + i, actv(binv(fn, va, vb), act, alpha, beta));
    }
    for (; i < colsB; i += 4) {
      const va = am == BCAST_SCALAR ? sa : splat(load<f32>(pa + i));
      const vb = bm == BCAST_SCALAR ? sb : splat(load<f32>(pb + i));
      store<f32>(py + i, f32x4.extract_lane(actv(binv(fn, va, vb), act, alpha, beta), 0));
    }
  }
}

export function activation(p: usize): void {
  const x = <usize>fld(p, F_X), y = <usize>fld(p, F_Y), n = fld(p, F_N);
  const act = fld(p, F_ACT);
  if (act == ACT_LINEAR) {
    if (x != y) memory.copy(y, x, <usize>n << 2);
    return;
  }
  actRow(x, y, n, act, load<f32>(p + (<usize>F_ALPHA << 2)), load<f32>(p + (<usize>F_BETA << 2)));
}
