// Convolutions, NHWC input, HWIO weights. Two paths for regular conv2d, both feeding the GEMM tiles of gemm.ts
// with the same packed weights ([kh*kw*cin, cout] panels), so the planner can pick per shape without repacking:
//  - im2col: copies F_MC output rows' receptive fields into scratch, then one GEMM per block (best when cin is
//    small: the first layer's K = kh*kw*cin is contiguous instead of kh*kw one-float pieces);
//  - direct (indirect convolution): copies each image into a zero-padded scratch image when the conv pads, then
//    per 4-pixel tile builds one pointer per window row and runs the 4x8 tile straight over the (padded) input
//    (best when cin is large). Winograd (3x3 / 5x5, stride 1) lives in winograd.ts.
// Depthwise: vectorised over channels for multiplier 1, scalar for multiplier > 1.

import {
  ACT_RELU, ACT_RELU6, F_X, F_W, F_B, F_Y, F_SCRATCH, F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_OC, F_KH, F_KW, F_SH, F_SW, F_DH, F_DW,
  F_PT, F_PL, F_MC, F_MULT, F_ACT, F_ALPHA, F_BETA, ACT_LINEAR,
} from "../step-encoding";
import { F_POOL, POOL_MAX_2X2 } from "../step-encoding-ext";
import { fma, splat, actv, actRow, storeLanes } from "./simd";
import { gemm, copyTile, actTile, isFastAct, fastAct, TILE } from "./gemm";

// @ts-ignore: decorator
@inline function fld(p: usize, f: i32): i32 {
  return load<i32>(p + (<usize>f << 2));
}

// @ts-ignore: decorator
@inline function fldf(p: usize, f: i32): f32 {
  return load<f32>(p + (<usize>f << 2));
}

/** dst[0..n) = src[0..n) (floats, non-overlapping). */
// @ts-ignore: decorator
@inline export function copyFloats(dst: usize, src: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < end; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

/**
 * dst[0..n) = src[0..n) in whole vectors: may write up to 3 floats past dst + n and read past src + n. Only for
 * im2col rows, whose stride leaves 4 floats of slack and whose spans are filled in ascending order.
 */
// @ts-ignore: decorator
@inline function copySpan(dst: usize, src: usize, n: i32): void {
  const end = <usize>n << 2;
  for (let i: usize = 0; i < end; i += 16) v128.store(dst + i, v128.load(src + i));
}

export function zeroFloats(dst: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(dst + i, splat(0.0));
  for (; i < end; i += 4) store<f32>(dst + i, 0);
}

/**
 * Fills one ky span (kw * ic floats) of `cnt` consecutive im2col rows (stride rowB bytes) from input row xrow,
 * the first pixel's window starting at column ix0; zeros when the input row is padding.
 */
function im2colSpans(d: usize, rowB: usize, xrow: usize, cnt: i32, ix0: i32, sw: i32, iw: i32, ic: i32, kw: i32, dw: i32, zero: bool): void {
  const span = kw * ic;
  if (zero) {
    for (let j = 0; j < cnt; j++) {
      zeroFloats(d, span);
      d += rowB;
    }
    return;
  }
  const icB = <usize>ic << 2;
  const lastTap = (kw - 1) * dw;
  for (let j = 0; j < cnt; j++) {
    if (dw == 1 && ix0 >= 0 && ix0 + lastTap < iw) {
      copySpan(d, xrow + <usize>ix0 * icB, span);
    } else {
      let e = d;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx * dw;
        if (ix < 0 || ix >= iw) zeroFloats(e, ic);
        else copySpan(e, xrow + <usize>ix * icB, ic);
        e += icB;
      }
    }
    d += rowB;
    ix0 += sw;
  }
}

export function conv2dIm2col(p: usize): void {
  const x = <usize>fld(p, F_X), w = <usize>fld(p, F_W), bias = <usize>fld(p, F_B), y = <usize>fld(p, F_Y);
  const scratch = <usize>fld(p, F_SCRATCH);
  const batch = fld(p, F_BATCH), ih = fld(p, F_IH), iw = fld(p, F_IW), ic = fld(p, F_IC);
  const oh = fld(p, F_OH), ow = fld(p, F_OW), oc = fld(p, F_OC);
  const kh = fld(p, F_KH), kw = fld(p, F_KW), sh = fld(p, F_SH), sw = fld(p, F_SW);
  const dh = fld(p, F_DH), dw = fld(p, F_DW), pt = fld(p, F_PT), pl = fld(p, F_PL);
  const act = fld(p, F_ACT), alpha = fldf(p, F_ALPHA), beta = fldf(p, F_BETA);
  const mc = fld(p, F_MC);
  const K = kh * kw * ic;
  const M = batch * oh * ow;
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == ih && ow == iw) {
    // Pointwise: the input already is the im2col matrix.
    gemm(x, ic, w, bias, y, oc, M, K, oc, act, alpha, beta);
    return;
  }
  const ohw = oh * ow;
  const icB = <usize>ic << 2;
  const spanB = <usize>(kw * ic) << 2;
  // Row stride K + 4: every span may be copied in whole vectors (copySpan) and spill into the next span, which is
  // written afterwards, or into the 4 floats of slack at the end of the row.
  const lda = K + 4;
  const rowB = <usize>lda << 2;
  const xImgB = <usize>ih * <usize>iw * icB;
  const lastTap = (kw - 1) * dw;
  for (let m0 = 0; m0 < M; m0 += mc) {
    const mEnd = m0 + min(mc, M - m0);
    // Walk the block one output-row segment at a time, ky outermost: iy and its bounds check are per segment,
    // and pixels whose window lies inside horizontally (unit dilation) copy one contiguous kw * ic span per ky.
    for (let m = m0; m < mEnd; ) {
      const n = m / ohw;
      const rest = m - n * ohw;
      const oy = rest / ow;
      const ox0 = rest - oy * ow;
      const cnt = min(ow - ox0, mEnd - m);
      const xn = x + <usize>n * xImgB;
      const seg = scratch + <usize>(m - m0) * rowB;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - pt + ky * dh;
        const d = seg + <usize>ky * spanB;
        // Two call sites keep Binaryen from inlining im2colSpans back here: TurboFan spills this function's many
        // live values, and a separate small loop keeps its few in registers (2x faster on 28x28x1 3x3).
        if (iy < 0 || iy >= ih) im2colSpans(d, rowB, 0, cnt, 0, sw, iw, ic, kw, dw, true);
        else im2colSpans(d, rowB, xn + <usize>iy * <usize>iw * icB, cnt, ox0 * sw - pl, sw, iw, ic, kw, dw, false);
      }
      m += cnt;
    }
    gemm(scratch, lda, w, bias, y + <usize>m0 * (<usize>oc << 2), oc, mEnd - m0, K, oc, act, alpha, beta);
  }
}

/** The 4x8 tile of the direct path: rows' input pointers per tap come from `ptrs` (4 u32 per tap). */
function direct4x8(ptrs: usize, taps: i32, ic: i32, b: usize, c: usize, ldc: usize, bias: usize, code: i32): void {
  let c00 = splat(0.0), c01 = splat(0.0), c10 = splat(0.0), c11 = splat(0.0);
  let c20 = splat(0.0), c21 = splat(0.0), c30 = splat(0.0), c31 = splat(0.0);
  if (bias != 0) {
    c00 = v128.load(bias); c01 = v128.load(bias, 16);
    c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
  }
  const kend = <usize>ic << 2;
  for (let t = 0; t < taps; t++) {
    const pp = ptrs + (<usize>t << 4);
    const a0 = <usize>load<u32>(pp), a1 = <usize>load<u32>(pp, 4), a2 = <usize>load<u32>(pp, 8), a3 = <usize>load<u32>(pp, 12);
    for (let k: usize = 0; k < kend; k += 4) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      b += 32;
      let xv = v128.load32_splat(a0 + k);
      c00 = fma(xv, b0, c00); c01 = fma(xv, b1, c01);
      xv = v128.load32_splat(a1 + k);
      c10 = fma(xv, b0, c10); c11 = fma(xv, b1, c11);
      xv = v128.load32_splat(a2 + k);
      c20 = fma(xv, b0, c20); c21 = fma(xv, b1, c21);
      xv = v128.load32_splat(a3 + k);
      c30 = fma(xv, b0, c30); c31 = fma(xv, b1, c31);
    }
  }
  v128.store(c, fastAct(c00, code)); v128.store(c, fastAct(c01, code), 16);
  v128.store(c + ldc, fastAct(c10, code)); v128.store(c + ldc, fastAct(c11, code), 16);
  v128.store(c + 2 * ldc, fastAct(c20, code)); v128.store(c + 2 * ldc, fastAct(c21, code), 16);
  v128.store(c + 3 * ldc, fastAct(c30, code)); v128.store(c + 3 * ldc, fastAct(c31, code), 16);
}

/** The 4x4 tile of the direct path (narrow tail panel). */
function direct4x4(ptrs: usize, taps: i32, ic: i32, b: usize, c: usize, ldc: usize, bias: usize, code: i32): void {
  let c0 = splat(0.0), c1 = splat(0.0), c2 = splat(0.0), c3 = splat(0.0);
  if (bias != 0) { c0 = v128.load(bias); c1 = c0; c2 = c0; c3 = c0; }
  const kend = <usize>ic << 2;
  for (let t = 0; t < taps; t++) {
    const pp = ptrs + (<usize>t << 4);
    const a0 = <usize>load<u32>(pp), a1 = <usize>load<u32>(pp, 4), a2 = <usize>load<u32>(pp, 8), a3 = <usize>load<u32>(pp, 12);
    for (let k: usize = 0; k < kend; k += 4) {
      const b0 = v128.load(b);
      b += 16;
      c0 = fma(v128.load32_splat(a0 + k), b0, c0);
      c1 = fma(v128.load32_splat(a1 + k), b0, c1);
      c2 = fma(v128.load32_splat(a2 + k), b0, c2);
      c3 = fma(v128.load32_splat(a3 + k), b0, c3);
    }
  }
  v128.store(c, fastAct(c0, code));
  v128.store(c + ldc, fastAct(c1, code));
  v128.store(c + 2 * ldc, fastAct(c2, code));
  v128.store(c + 3 * ldc, fastAct(c3, code));
}

/**
 * One output row of n pixels (input pixels ps bytes apart from q; outputs ldc bytes apart from c), two pixels
 * x 16 columns (two 8-wide panels) at a time over a short K: the window's K input floats come through a table of
 * byte offsets from each window's corner (`offs`); each k loads 2 broadcasts and 4 weight vectors for 8
 * multiply-adds. For thin inputs (the first conv of an image model: K = kh*kw*cin of 9..64) this beats the
 * 4x8 tile, whose per-tile pointer set-up and per-window-row loops cost as much as its few multiply-adds
 * (28x28x1 3x3 -> 32: 16.2 vs 20.5 us; 5x5: 31.4 vs 36.8 us). A 1x32 tile (8 accumulators, 8 weight loads per
 * broadcast) ran slower than both: V8 spilled. Same sum order as the 4x8 tile (bias, then k ascending), so the
 * results are identical to it. The last pair of an odd row repeats its pixel.
 */
// @ts-ignore: decorator
@inline function row2x16(q: usize, ps: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ldc: usize, ocB: usize,
  bias: usize, code: i32): void {
  const end = offs + (<usize>K << 2);
  for (let i = 0; i < n; i += 2) {
    const one = i + 1 == n;
    const q1 = one ? q : q + ps;
    const cc1 = one ? c : c + ldc;
    let wg = w;
    for (let g: usize = 0; g < ocB; g += 64) {
      let c0 = splat(0.0), c2 = splat(0.0), c4 = splat(0.0), c6 = splat(0.0);
      if (bias != 0) {
        c0 = v128.load(bias + g); c2 = v128.load(bias + g, 16); c4 = v128.load(bias + g, 32); c6 = v128.load(bias + g, 48);
      }
      let d0 = c0, d2 = c2, d4 = c4, d6 = c6;
      let b = wg, b1 = wg + panelB;
      for (let o = offs; o < end; o += 4) {
        const off = <usize>load<u32>(o);
        const x = v128.load32_splat(q + off);
        const z = v128.load32_splat(q1 + off);
        const w0 = v128.load(b), w1 = v128.load(b, 16), w2 = v128.load(b1), w3 = v128.load(b1, 16);
        c0 = fma(x, w0, c0); c2 = fma(x, w1, c2); c4 = fma(x, w2, c4); c6 = fma(x, w3, c6);
        d0 = fma(z, w0, d0); d2 = fma(z, w1, d2); d4 = fma(z, w2, d4); d6 = fma(z, w3, d6);
        b += 32;
        b1 += 32;
      }
      const cp = c + g, cp1 = cc1 + g;
      v128.store(cp, fastAct(c0, code)); v128.store(cp, fastAct(c2, code), 16);
      v128.store(cp, fastAct(c4, code), 32); v128.store(cp, fastAct(c6, code), 48);
      v128.store(cp1, fastAct(d0, code)); v128.store(cp1, fastAct(d2, code), 16);
      v128.store(cp1, fastAct(d4, code), 32); v128.store(cp1, fastAct(d6, code), 48);
      wg += panelB << 1;
    }
    q += ps << 1;
    c += ldc << 1;
  }
}

/**
 * row2x16 with the activation (linear, relu, relu6) a constant: one function per activation, so that each copy's
 * epilogue has no branches (inlined into one function, Binaryen folds the three copies back into one that tests
 * the code per vector).
 */
function direct2x16Linear(q: usize, ps: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ldc: usize, ocB: usize, bias: usize): void {
  row2x16(q, ps, n, offs, K, w, panelB, c, ldc, ocB, bias, ACT_LINEAR);
}
function direct2x16Relu(q: usize, ps: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ldc: usize, ocB: usize, bias: usize): void {
  row2x16(q, ps, n, offs, K, w, panelB, c, ldc, ocB, bias, ACT_RELU);
}
function direct2x16Relu6(q: usize, ps: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ldc: usize, ocB: usize, bias: usize): void {
  row2x16(q, ps, n, offs, K, w, panelB, c, ldc, ocB, bias, ACT_RELU6);
}

/**
 * The same short-K conv with the 2x2 / stride-2 max pool after it fused (F_POOL): one row of n pooled pixels,
 * each from a 2x2 block of conv pixels (input pointers q, q + ps, q + rs, q + rs + ps; the next block 2 * ps on)
 * x 8 columns per panel: 4 broadcasts and 2 weight vectors per k for 8 multiply-adds, as many loads as row2x16.
 * Each conv pixel is summed as row2x16 and the 4x8 tile sum it (bias, then k ascending), takes its activation,
 * then the window's max in maxPool2x2Row's pmax order: the bits of the conv step followed by the pool step,
 * without storing the conv output (4x the pooled size) and reading it back (expert conv1 + pool1: 12.0 + 1.5 ->
 * 11.3 us). px4 (a constant in each copy): ps is 4, the right pixels read at a constant offset.
 */
// @ts-ignore: decorator
@inline function rowPool2x2(q: usize, ps: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize,
  bias: usize, code: i32, px4: bool): void {
  const end = offs + (<usize>K << 2);
  const ninf = splat(-Infinity);
  for (let i = 0; i < n; i++) {
    const q1 = q + ps, q2 = q + rs, q3 = q2 + ps;
    let wg = w;
    for (let g: usize = 0; g < ocB; g += 32) {
      let a0 = splat(0.0), a1 = splat(0.0);
      if (bias != 0) { a0 = v128.load(bias + g); a1 = v128.load(bias + g, 16); }
      let b0 = a0, b1 = a1, c0 = a0, c1 = a1, d0 = a0, d1 = a1;
      let b = wg;
      for (let o = offs; o < end; o += 4) {
        const off = <usize>load<u32>(o);
        const w0 = v128.load(b), w1 = v128.load(b, 16);
        let x = v128.load32_splat(q + off);
        a0 = fma(x, w0, a0); a1 = fma(x, w1, a1);
        x = px4 ? v128.load32_splat(q + off, 4) : v128.load32_splat(q1 + off);
        b0 = fma(x, w0, b0); b1 = fma(x, w1, b1);
        x = v128.load32_splat(q2 + off);
        c0 = fma(x, w0, c0); c1 = fma(x, w1, c1);
        x = px4 ? v128.load32_splat(q2 + off, 4) : v128.load32_splat(q3 + off);
        d0 = fma(x, w0, d0); d1 = fma(x, w1, d1);
        b += 32;
      }
      // Top pair, bottom pair, then both (maxPool2x2Row's order).
      const top0 = f32x4.pmax(f32x4.pmax(ninf, fastAct(a0, code)), fastAct(b0, code));
      const bot0 = f32x4.pmax(f32x4.pmax(ninf, fastAct(c0, code)), fastAct(d0, code));
      const top1 = f32x4.pmax(f32x4.pmax(ninf, fastAct(a1, code)), fastAct(b1, code));
      const bot1 = f32x4.pmax(f32x4.pmax(ninf, fastAct(c1, code)), fastAct(d1, code));
      v128.store(c + g, f32x4.pmax(top0, bot0));
      v128.store(c + g, f32x4.pmax(top1, bot1), 16);
      wg += panelB;
    }
    q += ps << 1;
    c += ocB;
  }
}

/**
 * rowPool2x2 with the activation a constant, one function each (as direct2x16Linear), and a copy of each for
 * one-float pixels (ps = 4: one input channel, unit stride; an image model's first conv) that reads the right
 * pixels at a constant offset from the left ones: two fewer pointers to keep, which had been reloaded from the
 * stack in every k pass (expert conv1 + pool 11.3 -> 10.4-10.5 us).
 */
function directPoolLinear(q: usize, ps: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize, bias: usize): void {
  rowPool2x2(q, ps, rs, n, offs, K, w, panelB, c, ocB, bias, ACT_LINEAR, false);
}
function directPoolRelu(q: usize, ps: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize, bias: usize): void {
  rowPool2x2(q, ps, rs, n, offs, K, w, panelB, c, ocB, bias, ACT_RELU, false);
}
function directPoolRelu6(q: usize, ps: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize, bias: usize): void {
  rowPool2x2(q, ps, rs, n, offs, K, w, panelB, c, ocB, bias, ACT_RELU6, false);
}
function directPool1Linear(q: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize, bias: usize): void {
  rowPool2x2(q, 4, rs, n, offs, K, w, panelB, c, ocB, bias, ACT_LINEAR, true);
}
function directPool1Relu(q: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize, bias: usize): void {
  rowPool2x2(q, 4, rs, n, offs, K, w, panelB, c, ocB, bias, ACT_RELU, true);
}
function directPool1Relu6(q: usize, rs: usize, n: i32, offs: usize, K: i32, w: usize, panelB: usize, c: usize, ocB: usize, bias: usize): void {
  rowPool2x2(q, 4, rs, n, offs, K, w, panelB, c, ocB, bias, ACT_RELU6, true);
}

/** Largest K (kh*kw*cin) that takes the 2x16 path: at K = 72..144 the 4x8 tile is 3-4% faster (docs/kernels.md). */
const SMALL_K: i32 = 64;

/**
 * Copies image `src` [ih, iw, ic] into `dst` [HP, WP, icP] at offset (pt, pl), zero everywhere else (the padding
 * and, when icP > ic, the lanes past ic of every pixel). Every window then lies inside dst: no bounds checks,
 * no zero-row pointers, and the kw taps of a window row are one contiguous span.
 */
export function padImage(dst: usize, src: usize, ih: i32, iw: i32, ic: i32, icP: i32, HP: i32, WP: i32, pt: i32, pl: i32): void {
  const rowF = WP * icP;
  const icB = <usize>ic << 2, icPB = <usize>icP << 2;
  const cols = min(iw, WP - pl);
  for (let py = 0; py < HP; py++) {
    const d = dst + <usize>py * <usize>rowF * 4;
    const iy = py - pt;
    if (iy < 0 || iy >= ih || cols <= 0) {
      zeroFloats(d, rowF);
      continue;
    }
    zeroFloats(d, pl * icP);
    const s = src + <usize>iy * <usize>iw * icB;
    const dd = d + <usize>pl * icPB;
    if (ic == icP) copyFloats(dd, s, cols * ic);
    else {
      for (let x = 0; x < cols; x++) {
        const o = dd + <usize>x * icPB;
        zeroFloats(o, icP);
        copyFloats(o, s + <usize>x * icB, ic);
      }
    }
    const right = pl + cols;
    if (right < WP) zeroFloats(d + <usize>right * icPB, (WP - right) * icP);
  }
}

/**
 * Direct (indirect-pointer) conv: one image at a time, copied into a zero-padded scratch image when the conv
 * pads; each 4-pixel tile gets one input pointer per window row (unit dilation: the kw * ic floats of a window
 * row are contiguous, so the 4x8 tile's inner loop runs over them without a break) or per tap (dilated), then
 * the 4x8 / 4x4 tiles run over all column panels. The sum order is (ky, kx, c) as in im2col.
 */
export function conv2dDirect(p: usize): void {
  const x = <usize>fld(p, F_X), w = <usize>fld(p, F_W), bias = <usize>fld(p, F_B), y = <usize>fld(p, F_Y);
  const ptrs = <usize>fld(p, F_SCRATCH);
  const batch = fld(p, F_BATCH), ih = fld(p, F_IH), iw = fld(p, F_IW), ic = fld(p, F_IC);
  const oh = fld(p, F_OH), ow = fld(p, F_OW), oc = fld(p, F_OC);
  const kh = fld(p, F_KH), kw = fld(p, F_KW), sh = fld(p, F_SH), sw = fld(p, F_SW);
  const dh = fld(p, F_DH), dw = fld(p, F_DW), pt = fld(p, F_PT), pl = fld(p, F_PL);
  const act = fld(p, F_ACT), alpha = fldf(p, F_ALPHA), beta = fldf(p, F_BETA);
  const code = isFastAct(act) ? act : ACT_LINEAR;
  const slow = !isFastAct(act);
  const taps = kh * kw;
  const K = <usize>(taps * ic);
  const ohw = oh * ow;
  const ldc = <usize>oc << 2;
  const rem = oc & 7;
  const np8 = (oc >> 3) + (rem > 4 ? 1 : 0);
  const narrow = rem > 0 && rem <= 4;
  // Window rows are contiguous spans when dilation is 1 along the width.
  const rowMode = dw == 1;
  const ntaps = rowMode ? kh : taps;
  const klen = rowMode ? kw * ic : ic;
  const HP = (oh - 1) * sh + (kh - 1) * dh + 1;
  const WP = (ow - 1) * sw + (kw - 1) * dw + 1;
  const pads = pt > 0 || pl > 0 || HP > ih || WP > iw;
  // Scratch: the pointer table (16 bytes per tap) or the 2x16 / pooled paths' offset table (4 bytes per k), then
  // the image.
  const pool = fld(p, F_POOL) == POOL_MAX_2X2;
  const smallK = <i32>K <= SMALL_K && (oc & 15) == 0;
  const tableB = max(<usize>taps << 4, K << 2);
  const padded = (ptrs + tableB + 63) & ~(<usize>63);
  const rowS = <usize>(pads ? WP : iw) * (<usize>ic << 2);
  const icB = <usize>ic << 2;
  if (smallK || pool) {
    let o = ptrs;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let c = 0; c < ic; c++) {
          store<u32>(o, <u32>(<usize>(ky * dh) * rowS + <usize>(kx * dw) * icB + (<usize>c << 2)));
          o += 4;
        }
      }
    }
  }
  const panelB = K << 5;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * <usize>ih * <usize>iw * icB;
    let base = xn;
    if (pads) {
      padImage(padded, xn, ih, iw, ic, ic, HP, WP, pt, pl);
      base = padded;
    }
    if (pool) {
      // Fused 2x2 / stride-2 max pool (F_POOL; cout % 8 == 0, a fast activation): pooled rows of pooled pixels.
      const poh = oh >> 1, pow = ow >> 1;
      const ps = <usize>sw * icB, rs = <usize>sh * rowS;
      const yp = y + <usize>n * <usize>(poh * pow) * ldc;
      for (let py = 0; py < poh; py++) {
        const q = base + <usize>(2 * py) * rs;
        const cp = yp + <usize>(py * pow) * ldc;
        if (ps == 4) {
          if (code == ACT_RELU) directPool1Relu(q, rs, pow, ptrs, <i32>K, w, panelB, cp, ldc, bias);
          else if (code == ACT_RELU6) directPool1Relu6(q, rs, pow, ptrs, <i32>K, w, panelB, cp, ldc, bias);
          else directPool1Linear(q, rs, pow, ptrs, <i32>K, w, panelB, cp, ldc, bias);
        } else if (code == ACT_RELU) directPoolRelu(q, ps, rs, pow, ptrs, <i32>K, w, panelB, cp, ldc, bias);
        else if (code == ACT_RELU6) directPoolRelu6(q, ps, rs, pow, ptrs, <i32>K, w, panelB, cp, ldc, bias);
        else directPoolLinear(q, ps, rs, pow, ptrs, <i32>K, w, panelB, cp, ldc, bias);
      }
      continue;
    }
    const yn = y + <usize>n * <usize>ohw * ldc;
    if (smallK) {
      for (let oy = 0; oy < oh; oy++) {
        const cp = yn + <usize>(oy * ow) * ldc;
        const q = base + <usize>(oy * sh) * rowS, ps = <usize>sw * icB;
        if (code == ACT_RELU) direct2x16Relu(q, ps, ow, ptrs, <i32>K, w, panelB, cp, ldc, ldc, bias);
        else if (code == ACT_RELU6) direct2x16Relu6(q, ps, ow, ptrs, <i32>K, w, panelB, cp, ldc, ldc, bias);
        else direct2x16Linear(q, ps, ow, ptrs, <i32>K, w, panelB, cp, ldc, ldc, bias);
        if (slow) actRow(cp, cp, ow * oc, act, alpha, beta);
      }
      continue;
    }
    for (let m0 = 0; m0 < ohw; m0 += 4) {
      const rows = min(4, ohw - m0);
      for (let r = 0; r < 4; r++) {
        const m = min(m0 + r, ohw - 1);
        const oy = m / ow;
        const ox = m - oy * ow;
        const q = base + <usize>(oy * sh) * rowS + <usize>(ox * sw) * icB;
        const slot = ptrs + (<usize>r << 2);
        if (rowMode) {
          for (let ky = 0; ky < kh; ky++) store<u32>(slot + (<usize>ky << 4), <u32>(q + <usize>(ky * dh) * rowS));
        } else {
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              store<u32>(slot + (<usize>(ky * kw + kx) << 4), <u32>(q + <usize>(ky * dh) * rowS + <usize>(kx * dw) * icB));
            }
          }
        }
      }
      const crow = yn + <usize>m0 * ldc;
      for (let pi = 0; pi < np8; pi++) {
        const col = pi << 3;
        const cols = min(8, oc - col);
        const bp = w + ((<usize>pi * K) << 5);
        const bb = bias != 0 ? bias + (<usize>col << 2) : 0;
        const cp = crow + (<usize>col << 2);
        if (rows == 4 && cols == 8) {
          direct4x8(ptrs, ntaps, klen, bp, cp, ldc, bb, code);
        } else {
          direct4x8(ptrs, ntaps, klen, bp, TILE, 32, bb, code);
          copyTile(cp, ldc, TILE, 32, rows, cols);
        }
        if (slow) actTile(cp, ldc, rows, cols, act, alpha, beta);
      }
      if (narrow) {
        const col = np8 << 3;
        const cols = oc - col;
        const bp = w + ((<usize>np8 * K) << 5);
        const bb = bias != 0 ? bias + (<usize>col << 2) : 0;
        const cp = crow + (<usize>col << 2);
        if (rows == 4 && cols == 4) {
          direct4x4(ptrs, ntaps, klen, bp, cp, ldc, bb, code);
        } else {
          direct4x4(ptrs, ntaps, klen, bp, TILE, 32, bb, code);
          copyTile(cp, ldc, TILE, 32, rows, cols);
        }
        if (slow) actTile(cp, ldc, rows, cols, act, alpha, beta);
      }
    }
  }
}

/**
 * Depthwise conv, weights [kh, kw, cin * mult] (the HWIO-style kernel [kh, kw, cin, mult] flattened), bias
 * [cin * mult]. Lanes past oc in the last vector read neighbouring memory and are never stored.
 */
export function depthwiseConv2d(p: usize): void {
  const x = <usize>fld(p, F_X), w = <usize>fld(p, F_W), bias = <usize>fld(p, F_B), y = <usize>fld(p, F_Y);
  const batch = fld(p, F_BATCH), ih = fld(p, F_IH), iw = fld(p, F_IW), ic = fld(p, F_IC);
  const oh = fld(p, F_OH), ow = fld(p, F_OW), oc = fld(p, F_OC);
  const kh = fld(p, F_KH), kw = fld(p, F_KW), sh = fld(p, F_SH), sw = fld(p, F_SW);
  const dh = fld(p, F_DH), dw = fld(p, F_DW), pt = fld(p, F_PT), pl = fld(p, F_PL);
  const act = fld(p, F_ACT), alpha = fldf(p, F_ALPHA), beta = fldf(p, F_BETA);
  const mult = fld(p, F_MULT);
  const icB = <usize>ic << 2;
  const ocB = <usize>oc << 2;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const out = y + <usize>((n * oh + oy) * ow + ox) * ocB;
        if (mult == 1) {
          for (let c0 = 0; c0 < oc; c0 += 4) {
            const cB = <usize>c0 << 2;
            let acc = bias != 0 ? v128.load(bias + cB) : splat(0.0);
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= ih) continue;
              const xrow = x + <usize>((n * ih + iy) * iw) * icB + cB;
              const wrow = w + <usize>(ky * kw) * ocB + cB;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= iw) continue;
                acc = fma(v128.load(xrow + <usize>ix * icB), v128.load(wrow + <usize>kx * ocB), acc);
              }
            }
            storeLanes(out + cB, actv(acc, act, alpha, beta), oc - c0);
          }
        } else {
          for (let o = 0; o < oc; o++) {
            const ci = o / mult;
            let acc: f32 = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= ih) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= iw) continue;
                acc += load<f32>(x + <usize>((n * ih + iy) * iw + ix) * icB + (<usize>ci << 2)) *
                  load<f32>(w + (<usize>((ky * kw + kx) * oc + o) << 2));
              }
            }
            store<f32>(out + (<usize>o << 2), acc);
          }
          if (act != ACT_LINEAR) actRow(out, out, oc, act, alpha, beta);
        }
      }
    }
  }
}
