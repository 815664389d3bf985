// AssemblyScript, compiled by scripts/build-train-wasm.mjs (asc); tsconfig.json excludes it from tsc.
// conv2d forward and backward (NHWC, HWIO, groups 1) as im2col + GEMM, a chunk of images at a time so the
// column matrix stays cache-sized: forward y = cols . W + b; backward dW += cols^T . dy, dcols = dy . W^T,
// dx += col2im(dcols), db = sum dy. Same algorithm and chunking as src/train/kernels/js.ts.

import { gemm, gemmScratchBytes } from "./gemm";

// @ts-ignore: decorator
@inline function align64(p: usize): usize {
  return (p + 63) & ~(<usize>63);
}

/** Geometry, passed as one record (byte address of 16 i32s) to keep the exported signatures short. */
const G_N: i32 = 0, G_H: i32 = 1, G_W: i32 = 2, G_C: i32 = 3, G_KH: i32 = 4, G_KW: i32 = 5, G_CO: i32 = 6, G_OH: i32 = 7,
  G_OW: i32 = 8, G_SH: i32 = 9, G_SW: i32 = 10, G_DH: i32 = 11, G_DW: i32 = 12, G_PT: i32 = 13, G_PL: i32 = 14, G_CHUNK: i32 = 15;

// @ts-ignore: decorator
@inline function gf(g: usize, f: i32): i32 {
  return load<i32>(g + (<usize>f << 2));
}

/** Copies n floats (a few, typically: one pixel's channels); memory.copy's call costs more at this size. */
// @ts-ignore: decorator
@inline function copyFloats(d: usize, s: usize, n: i32): void {
  let c = 0;
  for (; c + 4 <= n; c += 4) v128.store(d + (<usize>c << 2), v128.load(s + (<usize>c << 2)));
  for (; c < n; c++) store<f32>(d + (<usize>c << 2), load<f32>(s + (<usize>c << 2)));
}

/** d[c] += s[c] for c < n (col2im's accumulation, bias rows, row sums). */
// @ts-ignore: decorator
@inline function addFloats(d: usize, s: usize, n: i32): void {
  const n4 = n & ~3;
  let c = 0;
  for (; c < n4; c += 4) {
    const o = <usize>c << 2;
    v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
  }
  for (; c < n; c++) {
    const o = <usize>c << 2;
    store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
  }
}

// @ts-ignore: decorator
@inline function zeroFloats(d: usize, n: i32): void {
  let c = 0;
  for (; c + 4 <= n; c += 4) v128.store(d + (<usize>c << 2), f32x4.splat(0));
  for (; c < n; c++) store<f32>(d + (<usize>c << 2), 0);
}

function im2col(g: usize, x: usize, n0: i32, count: i32, cols: usize): void {
  const H = gf(g, G_H), W = gf(g, G_W), C = gf(g, G_C), KH = gf(g, G_KH), KW = gf(g, G_KW);
  const OH = gf(g, G_OH), OW = gf(g, G_OW), sh = gf(g, G_SH), sw = gf(g, G_SW), dh = gf(g, G_DH), dw = gf(g, G_DW);
  const pt = gf(g, G_PT), pl = gf(g, G_PL);
  const cb = <usize>C << 2;
  let d = cols;
  for (let n = n0; n < n0 + count; n++) {
    const xn = x + <usize>n * <usize>H * <usize>W * cb;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh - pt + ky * dh;
          const rowOk = iy >= 0 && iy < H;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (rowOk && ix >= 0 && ix < W) copyFloats(d, xn + (<usize>iy * <usize>W + <usize>ix) * cb, C);
            else zeroFloats(d, C);
            d += cb;
          }
        }
      }
    }
  }
}

function col2imAdd(g: usize, dcols: usize, n0: i32, count: i32, dx: usize): void {
  const H = gf(g, G_H), W = gf(g, G_W), C = gf(g, G_C), KH = gf(g, G_KH), KW = gf(g, G_KW);
  const OH = gf(g, G_OH), OW = gf(g, G_OW), sh = gf(g, G_SH), sw = gf(g, G_SW), dh = gf(g, G_DH), dw = gf(g, G_DW);
  const pt = gf(g, G_PT), pl = gf(g, G_PL);
  const cb = <usize>C << 2;
  let s = dcols;
  for (let n = n0; n < n0 + count; n++) {
    const xn = dx + <usize>n * <usize>H * <usize>W * cb;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh - pt + ky * dh;
          const rowOk = iy >= 0 && iy < H;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (rowOk && ix >= 0 && ix < W) {
              addFloats(xn + (<usize>iy * <usize>W + <usize>ix) * cb, s, C);
            }
            s += cb;
          }
        }
      }
    }
  }
}

/** Scratch bytes conv2dForward / conv2dBackward need for geometry g. */
export function convScratchBytes(g: usize, backward: bool): i32 {
  const kk = gf(g, G_KH) * gf(g, G_KW) * gf(g, G_C);
  const co = gf(g, G_CO);
  const rows = gf(g, G_CHUNK) * gf(g, G_OH) * gf(g, G_OW);
  const cols = rows * kk * 4 + 64;
  let gs = gemmScratchBytes(rows, co, kk);
  if (backward) {
    gs = max(gs, gemmScratchBytes(kk, co, rows));
    gs = max(gs, gemmScratchBytes(rows, kk, co));
    return 2 * cols + gs + 64;
  }
  return cols + gs + 64;
}

/** True when the columns are the input itself (1x1 kernel, stride 1, no padding). */
function isPointwise(g: usize): bool {
  return gf(g, G_KH) == 1 && gf(g, G_KW) == 1 && gf(g, G_SH) == 1 && gf(g, G_SW) == 1 && gf(g, G_PT) == 0 && gf(g, G_PL) == 0 &&
    gf(g, G_OH) == gf(g, G_H) && gf(g, G_OW) == gf(g, G_W);
}

/** y = conv(x, w) + bias (bias may be 0), then relu when `relu`. */
export function conv2dForward(g: usize, x: usize, w: usize, bias: usize, y: usize, scratch: usize, relu: bool): void {
  const N = gf(g, G_N), CO = gf(g, G_CO), chunk = gf(g, G_CHUNK);
  const kk = gf(g, G_KH) * gf(g, G_KW) * gf(g, G_C);
  const per = gf(g, G_OH) * gf(g, G_OW);
  const cols = align64(scratch);
  const gs = align64(cols + <usize>chunk * <usize>per * <usize>kk * 4);
  const pointwise = isPointwise(g);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = min(chunk, N - n0);
    const rows = count * per;
    let a = cols;
    if (pointwise) a = x + <usize>n0 * <usize>per * <usize>kk * 4;
    else im2col(g, x, n0, count, cols);
    gemm(false, false, rows, CO, kk, a, w, y + <usize>n0 * <usize>per * <usize>CO * 4, false, gs);
  }
  if (bias != 0) addBias(y, N * per, CO, bias);
  if (relu) reluInPlace(y, N * per * CO);
}

/** y = max(y, 0) (NaN kept, as the reference's x < 0 ? 0 : x). */
export function reluInPlace(y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = y + (<usize>i << 2);
    const v = v128.load(p);
    v128.store(p, v128.bitselect(zero, v, f32x4.lt(v, zero)));
  }
  for (; i < n; i++) {
    const p = y + (<usize>i << 2);
    const v = load<f32>(p);
    if (v < 0) store<f32>(p, 0);
  }
}

/** dy = y > 0 ? dy : 0 (the relu gradient from the relu's output). */
export function reluMask(dy: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dy + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
  }
}

/** y[r, :] += bias for r < rows. */
export function addBias(y: usize, rows: i32, n: i32, bias: usize): void {
  const rb = <usize>n << 2;
  for (let r = 0; r < rows; r++) addFloats(y + <usize>r * rb, bias, n);
}

/** out[j] = sum over rows of dy[r, j]. */
export function sumRows(dy: usize, rows: i32, n: i32, out: usize): void {
  memory.fill(out, 0, <usize>n << 2);
  const rb = <usize>n << 2;
  for (let r = 0; r < rows; r++) addFloats(out, dy + <usize>r * rb, n);
}

/**
 * Gradients from dy: dw (overwritten), dx (overwritten, skipped when 0), db (skipped when 0). reluY (when not
 * 0): the forward's relu output; dy is masked by it first.
 */
export function conv2dBackward(g: usize, x: usize, w: usize, dy: usize, dx: usize, dw: usize, db: usize, scratch: usize, reluY: usize): void {
  const N = gf(g, G_N), CO = gf(g, G_CO), chunk = gf(g, G_CHUNK);
  const kk = gf(g, G_KH) * gf(g, G_KW) * gf(g, G_C);
  const per = gf(g, G_OH) * gf(g, G_OW);
  if (reluY != 0) reluMask(dy, reluY, N * per * CO);
  const colsBytes = <usize>chunk * <usize>per * <usize>kk * 4;
  const cols = align64(scratch);
  const dcols = align64(cols + colsBytes);
  const gs = align64(dcols + colsBytes);
  const pointwise = isPointwise(g);
  if (dx != 0) memory.fill(dx, 0, <usize>N * <usize>gf(g, G_H) * <usize>gf(g, G_W) * <usize>gf(g, G_C) * 4);
  if (N == 0) memory.fill(dw, 0, <usize>kk * <usize>CO * 4);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = min(chunk, N - n0);
    const rows = count * per;
    const dyc = dy + <usize>n0 * <usize>per * <usize>CO * 4;
    let a = cols;
    if (pointwise) a = x + <usize>n0 * <usize>per * <usize>kk * 4;
    else im2col(g, x, n0, count, cols);
    gemm(true, false, kk, CO, rows, a, dyc, dw, n0 > 0, gs);
    if (dx != 0) {
      if (pointwise) {
        gemm(false, true, rows, kk, CO, dyc, w, dx + <usize>n0 * <usize>per * <usize>kk * 4, false, gs);
      } else {
        gemm(false, true, rows, kk, CO, dyc, w, dcols, false, gs);
        col2imAdd(g, dcols, n0, count, dx);
      }
    }
  }
  if (db != 0) sumRows(dy, N * per, CO, db);
}
