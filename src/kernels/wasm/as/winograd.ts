// Winograd convolution F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 5x5) (Lavin & Gray 2015), NHWC, stride 1, dilation 1:
// each m x m output tile is AT [ U_e (.) V_e ] A over t x t "elements" e (t = m + r - 1), V = BT d B the transformed
// t x t input patch and U = G g G^T the transformed kernel (made once at plan time, program.ts). Per block of
// F_MC tiles: transform the inputs of every tile (vectorised over 4 channels), run t*t small GEMMs
// [tiles x cin] . [cin x cout] on the 4x8 / 4x4 register tiles of gemm.ts, transform back, add the bias, apply
// the activation and store. Multiplies per output: F(2x2, 3x3) 4 instead of 9; F(4x4, 3x3) 2.25; F(2x2, 5x5) 9
// instead of 25. Transforms use plain mul / add (never relaxed FMA), so they are identical in both builds.
//
// Transform matrices (points 0, +-1 for r = 3; 0, +-1, +-2 for r = 5; derivation and checks in
// test/kernels/winograd.test.ts):
//   F(2, 3): BT = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 -1 0 1]           AT = [1 1 1 0; 0 1 -1 1]
//   F(2, 5) and F(4, 3): BT = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   F(2, 5): AT = [1 1 1 1 1 0; 0 1 -1 2 -2 1]      F(4, 3): AT in outputTileF4
// Scratch layout: ../step-encoding-ext.ts (OP_CONV2D_WINOGRAD, OP_CONV2D_WINOGRAD_F4).

import {
  F_X, F_W, F_B, F_Y, F_SCRATCH, F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_OC, F_KH, F_PT, F_PL, F_MC, F_ACT,
  F_ALPHA, F_BETA, ACT_LINEAR, ACT_RELU, ACT_RELU6,
} from "../step-encoding";
import { F_POOL, POOL_MAX_2X2 } from "../step-encoding-ext";
import { splat, actv, actRow, storeLanes } from "./simd";
import { mk4x8, mk4x4, isFastAct, fastAct } from "./gemm";
import { padImage } from "./conv";

// @ts-ignore: decorator
@inline function fld(p: usize, f: i32): i32 {
  return load<i32>(p + (<usize>f << 2));
}

// @ts-ignore: decorator
@inline function align64(a: usize): usize {
  return (a + 63) & ~(<usize>63);
}

/** BT (6x6) applied to 6 vectors. */
// @ts-ignore: decorator
@inline function bt6(src: usize, ss: usize, dst: usize, ds: usize): void {
  const d0 = v128.load(src), d1 = v128.load(src + ss), d2 = v128.load(src + 2 * ss);
  const d3 = v128.load(src + 3 * ss), d4 = v128.load(src + 4 * ss), d5 = v128.load(src + 5 * ss);
  const four = splat(4.0), five = splat(5.0), two = splat(2.0);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(d0, four), f32x4.mul(d2, five)), d4));
  v128.store(dst + ds, f32x4.sub(f32x4.add(d3, d4), f32x4.mul(f32x4.add(d1, d2), four)));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.sub(d4, d3), f32x4.mul(f32x4.sub(d1, d2), four)));
  const a = f32x4.sub(d4, d2), b = f32x4.mul(f32x4.sub(d3, d1), two);
  v128.store(dst + 3 * ds, f32x4.add(a, b));
  v128.store(dst + 4 * ds, f32x4.sub(a, b));
  v128.store(dst + 5 * ds, f32x4.add(f32x4.sub(f32x4.mul(d1, four), f32x4.mul(d3, five)), d5));
}

/**
 * F(2x2, 3x3) input transform of one 4-channel group of one tile, in registers: V = BT d B, d's rows at
 * src + i * rowS, columns pixS apart, V_e stored at dst + e * es. Column by column of R = d B: the 4 values of
 * R's column j come from one load of each d row (BT's rows have at most two non-zeros), then V[:, j] = BT R[:, j].
 */
function inputTransform4(src: usize, rowS: usize, pixS: usize, dst: usize, es: usize): void {
  const r1 = src + rowS, r2 = src + 2 * rowS, r3 = src + 3 * rowS;
  for (let j = 0; j < 4; j++) {
    // Column j of R = d B: R[i][j] = (BT d[i][:])[j].
    let a0: v128, a1: v128, a2: v128, a3: v128;
    if (j == 0) {
      a0 = f32x4.sub(v128.load(src), v128.load(src + 2 * pixS));
      a1 = f32x4.sub(v128.load(r1), v128.load(r1 + 2 * pixS));
      a2 = f32x4.sub(v128.load(r2), v128.load(r2 + 2 * pixS));
      a3 = f32x4.sub(v128.load(r3), v128.load(r3 + 2 * pixS));
    } else if (j == 1) {
      a0 = f32x4.add(v128.load(src + pixS), v128.load(src + 2 * pixS));
      a1 = f32x4.add(v128.load(r1 + pixS), v128.load(r1 + 2 * pixS));
      a2 = f32x4.add(v128.load(r2 + pixS), v128.load(r2 + 2 * pixS));
      a3 = f32x4.add(v128.load(r3 + pixS), v128.load(r3 + 2 * pixS));
    } else if (j == 2) {
      a0 = f32x4.sub(v128.load(src + 2 * pixS), v128.load(src + pixS));
      a1 = f32x4.sub(v128.load(r1 + 2 * pixS), v128.load(r1 + pixS));
      a2 = f32x4.sub(v128.load(r2 + 2 * pixS), v128.load(r2 + pixS));
      a3 = f32x4.sub(v128.load(r3 + 2 * pixS), v128.load(r3 + pixS));
    } else {
      a0 = f32x4.sub(v128.load(src + 3 * pixS), v128.load(src + pixS));
      a1 = f32x4.sub(v128.load(r1 + 3 * pixS), v128.load(r1 + pixS));
      a2 = f32x4.sub(v128.load(r2 + 3 * pixS), v128.load(r2 + pixS));
      a3 = f32x4.sub(v128.load(r3 + 3 * pixS), v128.load(r3 + pixS));
    }
    const o = dst + <usize>j * es;
    v128.store(o, f32x4.sub(a0, a2));
    v128.store(o + 4 * es, f32x4.add(a1, a2));
    v128.store(o + 8 * es, f32x4.sub(a2, a1));
    v128.store(o + 12 * es, f32x4.sub(a3, a1));
  }
}

/**
 * V = BT d B for one tile, all its 4-channel groups (pixS bytes per pixel): d's rows at src + i * rowS, columns
 * pixS apart; V_e of channel group c stored at dst + 16 c + e * es. Rows first (R = d B, into tmp), then columns
 * (V = BT R). One call per tile, pointers stepped instead of multiplied (TurboFan recomputed the products in every
 * pass of the loops): expert conv2 31.0 -> 30.1-30.3 us.
 */
function inputTile6(src: usize, rowS: usize, pixS: usize, dst: usize, es: usize, tmp: usize): void {
  const es6 = 6 * es;
  for (let c: usize = 0; c < pixS; c += 16) {
    let r = src + c;
    for (let o = tmp; o < tmp + 576; o += 96) {
      bt6(r, pixS, o, 16);
      r += rowS;
    }
    let d = dst + c;
    for (let o = tmp; o < tmp + 96; o += 16) {
      bt6(o, 96, d, es6);
      d += es;
    }
  }
}

/** AT (2 x t) applied to t vectors at src, src + ss, ...: the two results go to dst and dst + 16. */
// @ts-ignore: decorator
@inline function at(t: i32, src: usize, ss: usize, dst: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + ss), m2 = v128.load(src + 2 * ss), m3 = v128.load(src + 3 * ss);
  if (t == 4) {
    v128.store(dst, f32x4.add(f32x4.add(m0, m1), m2));
    v128.store(dst, f32x4.add(f32x4.sub(m1, m2), m3), 16);
  } else {
    const m4 = v128.load(src + 4 * ss), m5 = v128.load(src + 5 * ss);
    v128.store(dst, f32x4.add(f32x4.add(f32x4.add(m0, m1), f32x4.add(m2, m3)), m4));
    v128.store(dst, f32x4.add(f32x4.add(f32x4.sub(m1, m2), f32x4.mul(f32x4.sub(m3, m4), splat(2.0))), m5), 16);
  }
}

/** Bias, activation (on registers for linear / relu / relu6) and store of one output vector (lanes 1..4). */
// @ts-ignore: decorator
@inline function finish(p: usize, v: v128, b: v128, lanes: i32, act: i32, alpha: f32, beta: f32): void {
  let y = f32x4.add(v, b);
  y = isFastAct(act) ? fastAct(y, act) : actv(y, act, alpha, beta);
  if (lanes >= 4) v128.store(p, y);
  else storeLanes(p, y, lanes);
}

/**
 * F(2x2, 3x3) output transform of one 4-channel group of one tile, in registers: Y = AT M A with M_e at
 * mc + e * es; stores Y (+ bias, activation) at out (x + 1: + pixB, y + 1: + rowB), skipping cut-off pixels.
 */
function outputTile4(mc: usize, es: usize, b: v128, out: usize, pixB: usize, rowB: usize, lanes: i32, whole: bool, y1: bool, x1: bool,
  act: i32, alpha: f32, beta: f32): void {
  // S = AT M (2 x 4): S0j = M0j + M1j + M2j, S1j = M1j - M2j + M3j.
  let s00 = splat(0.0), s01 = splat(0.0), s02 = splat(0.0), s03 = splat(0.0);
  let s10 = splat(0.0), s11 = splat(0.0), s12 = splat(0.0), s13 = splat(0.0);
  for (let j = 0; j < 4; j++) {
    const q = mc + <usize>j * es;
    const m0 = v128.load(q), m1 = v128.load(q + 4 * es), m2 = v128.load(q + 8 * es), m3 = v128.load(q + 12 * es);
    const a = f32x4.add(f32x4.add(m0, m1), m2);
    const c = f32x4.add(f32x4.sub(m1, m2), m3);
    if (j == 0) { s00 = a; s10 = c; } else if (j == 1) { s01 = a; s11 = c; } else if (j == 2) { s02 = a; s12 = c; } else { s03 = a; s13 = c; }
  }
  // Y = S A: Ya0 = Sa0 + Sa1 + Sa2, Ya1 = Sa1 - Sa2 + Sa3.
  const y00 = f32x4.add(f32x4.add(s00, s01), s02);
  const y01 = f32x4.add(f32x4.sub(s01, s02), s03);
  const y10 = f32x4.add(f32x4.add(s10, s11), s12);
  const y11 = f32x4.add(f32x4.sub(s11, s12), s13);
  finish(out, y00, b, lanes, act, alpha, beta);
  if (whole || x1) finish(out + pixB, y01, b, lanes, act, alpha, beta);
  if (whole || y1) {
    finish(out + rowB, y10, b, lanes, act, alpha, beta);
    if (whole || x1) finish(out + rowB + pixB, y11, b, lanes, act, alpha, beta);
  }
}

/** F(2x2, 5x5) output transform (columns into tmp, then rows), as outputTile4. */
function outputTile6(mc: usize, es: usize, b: v128, tmp: usize, out: usize, pixB: usize, rowB: usize, lanes: i32, y1: bool, x1: bool,
  act: i32, alpha: f32, beta: f32): void {
  for (let j = 0; j < 6; j++) at(6, mc + <usize>j * es, 6 * es, tmp + <usize>j * 32);
  at(6, tmp, 32, tmp + 192);
  at(6, tmp + 16, 32, tmp + 224);
  finish(out, v128.load(tmp, 192), b, lanes, act, alpha, beta);
  if (x1) finish(out + pixB, v128.load(tmp, 208), b, lanes, act, alpha, beta);
  if (y1) {
    finish(out + rowB, v128.load(tmp, 224), b, lanes, act, alpha, beta);
    if (x1) finish(out + rowB + pixB, v128.load(tmp, 240), b, lanes, act, alpha, beta);
  }
}

/** Bias, a fast activation (a constant in each copy of the caller) and the store of one output vector. */
// @ts-ignore: decorator
@inline function finishFast(p: usize, v: v128, b: v128, lanes: i32, code: i32): void {
  const y = fastAct(f32x4.add(v, b), code);
  if (lanes >= 4) v128.store(p, y);
  else storeLanes(p, y, lanes);
}

/**
 * F(4x4, 3x3) output transform of one 4-channel group of one tile: S = AT M (4 x 6, columns into tmp), then
 * each row of Y = S A; stores the rows / columns that lie inside the output (rows, cols = what is left of it),
 * with the bias and a fast activation (code: linear, relu or relu6; other activations run afterwards over the
 * stored image, conv2dWinograd).
 *   AT = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 */
// @ts-ignore: decorator
@inline function outputF4(mc: usize, es: usize, b: v128, tmp: usize, out: usize, pixB: usize, rowB: usize, lanes: i32, rows: i32, cols: i32,
  code: i32): void {
  const two = splat(2.0), four = splat(4.0), eight = splat(8.0);
  // Columns: tmp[a * 6 + j] = (AT M[:, j])[a].
  for (let j = 0; j < 6; j++) {
    const q = mc + <usize>j * es;
    const m0 = v128.load(q), m1 = v128.load(q + 6 * es), m2 = v128.load(q + 12 * es);
    const m3 = v128.load(q + 18 * es), m4 = v128.load(q + 24 * es), m5 = v128.load(q + 30 * es);
    const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
    const o = tmp + (<usize>j << 4);
    v128.store(o, f32x4.add(f32x4.add(m0, p12), p34));
    v128.store(o, f32x4.add(d12, f32x4.mul(d34, two)), 96);
    v128.store(o, f32x4.add(p12, f32x4.mul(p34, four)), 192);
    v128.store(o, f32x4.add(f32x4.add(d12, f32x4.mul(d34, eight)), m5), 288);
  }
  // Rows: Y[a, :] = AT S[a, :].
  const nr = min(rows, 4), nc = min(cols, 4);
  for (let a = 0; a < nr; a++) {
    const q = tmp + <usize>a * 96;
    const s0 = v128.load(q), s1 = v128.load(q, 16), s2 = v128.load(q, 32), s3 = v128.load(q, 48), s4 = v128.load(q, 64), s5 = v128.load(q, 80);
    const p12 = f32x4.add(s1, s2), d12 = f32x4.sub(s1, s2), p34 = f32x4.add(s3, s4), d34 = f32x4.sub(s3, s4);
    const o = out + <usize>a * rowB;
    finishFast(o, f32x4.add(f32x4.add(s0, p12), p34), b, lanes, code);
    if (nc > 1) finishFast(o + pixB, f32x4.add(d12, f32x4.mul(d34, two)), b, lanes, code);
    if (nc > 2) finishFast(o + 2 * pixB, f32x4.add(p12, f32x4.mul(p34, four)), b, lanes, code);
    if (nc > 3) finishFast(o + 3 * pixB, f32x4.add(f32x4.add(d12, f32x4.mul(d34, eight)), s5), b, lanes, code);
  }
}

/**
 * outputF4 with the 2x2 / stride-2 max pool after the activation fused (F_POOL), for all oc channels of one tile
 * (M_e of channel group co at ms + 4 co + e * es, bias at bias + 4 co): the tile's 4x4 outputs pool to 2x2 at out
 * (pooled pixels pixB, pooled rows rowB apart); prs / pcs (1 or 2) of them lie inside the pooled image. Y's rows
 * are computed as outputF4's, one per loop pass (a pass is all TurboFan schedules at once: two rows' twelve loads
 * and the constants would spill): an even row stores the max of its column pairs, the odd row below takes the
 * max with it, in maxPool2x2Row's pmax order, so the bits are the unfused conv's then the pool's. One call per
 * tile and the M strides multiplied once (a call per channel group, recomputing 6 es .. 30 es in every column
 * pass, took 0.5 us more of expert conv2's 31.4).
 */
// @ts-ignore: decorator
@inline function outputF4Pool(ms: usize, es: usize, bias: usize, oc: i32, tmp: usize, out: usize, pixB: usize, rowB: usize, prs: i32, pcs: i32,
  code: i32): void {
  const e6 = es * 6, e12 = es * 12, e18 = es * 18, e24 = es * 24, e30 = es * 30;
  const nr = prs << 1;
  for (let cB: usize = 0; cB < (<usize>oc << 2); cB += 16) {
    const b = bias != 0 ? v128.load(bias + cB) : splat(0.0);
    const two = splat(2.0), four = splat(4.0), eight = splat(8.0);
    let q = ms + cB;
    for (let o = tmp; o < tmp + 96; o += 16) {
      const m0 = v128.load(q), m1 = v128.load(q + e6), m2 = v128.load(q + e12);
      const m3 = v128.load(q + e18), m4 = v128.load(q + e24), m5 = v128.load(q + e30);
      const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
      v128.store(o, f32x4.add(f32x4.add(m0, p12), p34));
      v128.store(o, f32x4.add(d12, f32x4.mul(d34, two)), 96);
      v128.store(o, f32x4.add(p12, f32x4.mul(p34, four)), 192);
      v128.store(o, f32x4.add(f32x4.add(d12, f32x4.mul(d34, eight)), m5), 288);
      q += es;
    }
    const oc0 = out + cB;
    for (let a = 0; a < nr; a++) {
      const q = tmp + <usize>a * 96;
      const s0 = v128.load(q), s1 = v128.load(q, 16), s2 = v128.load(q, 32), s3 = v128.load(q, 48), s4 = v128.load(q, 64), s5 = v128.load(q, 80);
      const p12 = f32x4.add(s1, s2), d12 = f32x4.sub(s1, s2), p34 = f32x4.add(s3, s4), d34 = f32x4.sub(s3, s4);
      const y0 = fastAct(f32x4.add(f32x4.add(f32x4.add(s0, p12), p34), b), code);
      const y1 = fastAct(f32x4.add(f32x4.add(d12, f32x4.mul(d34, two)), b), code);
      const y2 = fastAct(f32x4.add(f32x4.add(p12, f32x4.mul(p34, four)), b), code);
      const y3 = fastAct(f32x4.add(f32x4.add(f32x4.add(d12, f32x4.mul(d34, eight)), s5), b), code);
      const ninf = splat(-Infinity);
      const h0 = f32x4.pmax(f32x4.pmax(ninf, y0), y1);
      const h1 = f32x4.pmax(f32x4.pmax(ninf, y2), y3);
      const o = oc0 + <usize>(a >> 1) * rowB;
      if ((a & 1) == 0) {
        v128.store(o, h0);
        if (pcs > 1) v128.store(o + pixB, h1);
      } else {
        v128.store(o, f32x4.pmax(v128.load(o), h0));
        if (pcs > 1) v128.store(o + pixB, f32x4.pmax(v128.load(o + pixB), h1));
      }
    }
  }
}

function outputTileF4PoolLinear(ms: usize, es: usize, bias: usize, oc: i32, tmp: usize, out: usize, pixB: usize, rowB: usize, prs: i32, pcs: i32): void {
  outputF4Pool(ms, es, bias, oc, tmp, out, pixB, rowB, prs, pcs, ACT_LINEAR);
}
function outputTileF4PoolRelu(ms: usize, es: usize, bias: usize, oc: i32, tmp: usize, out: usize, pixB: usize, rowB: usize, prs: i32, pcs: i32): void {
  outputF4Pool(ms, es, bias, oc, tmp, out, pixB, rowB, prs, pcs, ACT_RELU);
}
function outputTileF4PoolRelu6(ms: usize, es: usize, bias: usize, oc: i32, tmp: usize, out: usize, pixB: usize, rowB: usize, prs: i32, pcs: i32): void {
  outputF4Pool(ms, es, bias, oc, tmp, out, pixB, rowB, prs, pcs, ACT_RELU6);
}

/**
 * outputF4 with the activation a constant, one function each: no per-vector activation tests, and no call to
 * the slow activations whose possibility made V8 spill a dozen vectors per row (expert conv2 33.5 -> 31.3-31.6 us).
 */
function outputTileF4Linear(mc: usize, es: usize, b: v128, tmp: usize, out: usize, pixB: usize, rowB: usize, lanes: i32, rows: i32, cols: i32): void {
  outputF4(mc, es, b, tmp, out, pixB, rowB, lanes, rows, cols, ACT_LINEAR);
}
function outputTileF4Relu(mc: usize, es: usize, b: v128, tmp: usize, out: usize, pixB: usize, rowB: usize, lanes: i32, rows: i32, cols: i32): void {
  outputF4(mc, es, b, tmp, out, pixB, rowB, lanes, rows, cols, ACT_RELU);
}
function outputTileF4Relu6(mc: usize, es: usize, b: v128, tmp: usize, out: usize, pixB: usize, rowB: usize, lanes: i32, rows: i32, cols: i32): void {
  outputF4(mc, es, b, tmp, out, pixB, rowB, lanes, rows, cols, ACT_RELU6);
}

export function conv2dWinograd(p: usize, m: i32): void {
  const x = <usize>fld(p, F_X), w = <usize>fld(p, F_W), bias = <usize>fld(p, F_B), y = <usize>fld(p, F_Y);
  const scratch = <usize>fld(p, F_SCRATCH);
  const batch = fld(p, F_BATCH), ih = fld(p, F_IH), iw = fld(p, F_IW), ic = fld(p, F_IC);
  const oh = fld(p, F_OH), ow = fld(p, F_OW), oc = fld(p, F_OC);
  const r = fld(p, F_KH), pt = fld(p, F_PT), pl = fld(p, F_PL);
  const act = fld(p, F_ACT), alpha = load<f32>(p + (<usize>F_ALPHA << 2)), beta = load<f32>(p + (<usize>F_BETA << 2));
  const TB = fld(p, F_MC);
  const t = m + r - 1;
  const T2 = t * t;
  const icP = (ic + 3) & ~3;
  const ldm = (oc + 7) & ~7;
  const tilesH = (oh + m - 1) / m, tilesW = (ow + m - 1) / m;
  const HP = m * tilesH + r - 1, WP = m * tilesW + r - 1;
  const padded = scratch;
  const V = align64(padded + <usize>HP * <usize>WP * (<usize>icP << 2));
  const Mb = align64(V + <usize>T2 * <usize>TB * (<usize>icP << 2));
  const tmp = align64(Mb + <usize>T2 * <usize>TB * (<usize>ldm << 2));
  // Packed U_e: [cin, cout] panels (8-wide, then a 4-wide tail when cout % 8 is 1..4).
  const rem = oc & 7;
  const np8 = (oc >> 3) + (rem > 4 ? 1 : 0);
  const narrow = rem > 0 && rem <= 4;
  const panelB = (<usize>ic * <usize>(np8 * 8 + (narrow ? 4 : 0))) << 2;
  const pixS = <usize>icP << 2;
  const rowS = <usize>WP * pixS;
  const vRow = <usize>icP << 2;
  const vElem = <usize>TB * vRow;
  const mRow = <usize>ldm << 2;
  const mElem = <usize>TB * mRow;
  const ocB = <usize>oc << 2;
  const tilesImg = tilesH * tilesW;
  // F_POOL (F(4x4) only, cout % 4 == 0, a fast activation): y is the pooled image.
  const pool = m == 4 && fld(p, F_POOL) == POOL_MAX_2X2;
  const poh = oh >> 1, pow = ow >> 1;
  for (let n = 0; n < batch; n++) {
    padImage(padded, x + <usize>n * <usize>ih * <usize>iw * (<usize>ic << 2), ih, iw, ic, icP, HP, WP, pt, pl);
    const yn = y + <usize>n * <usize>oh * <usize>ow * ocB;
    const yp = y + <usize>n * <usize>(poh * pow) * ocB;
    for (let tb0 = 0; tb0 < tilesImg; tb0 += TB) {
      const cnt = min(TB, tilesImg - tb0);
      // Input transform: slots past the last tile repeat it (their GEMM rows are computed and dropped).
      for (let s = 0; s < TB; s++) {
        const tile = min(tb0 + s, tilesImg - 1);
        const ty = tile / tilesW, tx = tile - ty * tilesW;
        const src = padded + <usize>(m * ty) * rowS + <usize>(m * tx) * pixS;
        const dst = V + <usize>s * vRow;
        if (t == 4) {
          for (let c: usize = 0; c < pixS; c += 16) inputTransform4(src + c, rowS, pixS, dst + c, vElem);
        } else inputTile6(src, rowS, pixS, dst, vElem, tmp);
      }
      // t*t GEMMs: M_e[TB, cout] = V_e[TB, cin] . U_e[cin, cout].
      for (let e = 0; e < T2; e++) {
        const a = V + <usize>e * vElem;
        const c = Mb + <usize>e * mElem;
        const u = w + <usize>e * panelB;
        for (let rt = 0; rt < TB; rt += 4) {
          const ar = a + <usize>rt * vRow;
          const cr = c + <usize>rt * mRow;
          for (let pi = 0; pi < np8; pi++) {
            mk4x8(ar, vRow, u + ((<usize>pi * <usize>ic) << 5), ic, cr + (<usize>pi << 5), mRow, true, 0, ACT_LINEAR);
          }
          if (narrow) mk4x4(ar, vRow, u + ((<usize>np8 * <usize>ic) << 5), ic, cr + (<usize>np8 << 5), mRow, true, 0, ACT_LINEAR);
        }
      }
      // Output transform, bias, activation, store (tiles on the bottom / right edge may be cut).
      for (let s = 0; s < cnt; s++) {
        const tile = tb0 + s;
        const ty = tile / tilesW, tx = tile - ty * tilesW;
        const oy = m * ty, ox = m * tx;
        const whole = oy + m <= oh && ox + m <= ow;
        const out = yn + (<usize>(oy * ow + ox)) * ocB;
        const ms = Mb + <usize>s * mRow;
        if (pool) {
          // The tile's pooled rows / columns inside the pooled image (none when only its last odd row or column is).
          const prs = min(2, (oh - oy) >> 1), pcs = min(2, (ow - ox) >> 1);
          if (prs <= 0 || pcs <= 0) continue;
          const po = yp + (<usize>((oy >> 1) * pow + (ox >> 1))) * ocB, prowB = <usize>pow * ocB;
          if (act == ACT_RELU) outputTileF4PoolRelu(ms, mElem, bias, oc, tmp, po, ocB, prowB, prs, pcs);
          else if (act == ACT_RELU6) outputTileF4PoolRelu6(ms, mElem, bias, oc, tmp, po, ocB, prowB, prs, pcs);
          else outputTileF4PoolLinear(ms, mElem, bias, oc, tmp, po, ocB, prowB, prs, pcs);
          continue;
        }
        for (let co = 0; co < oc; co += 4) {
          const mc = ms + (<usize>co << 2);
          const b = bias != 0 ? v128.load(bias + (<usize>co << 2)) : splat(0.0);
          if (m == 4) {
            const o = out + (<usize>co << 2), rowB = <usize>ow * ocB;
            if (act == ACT_RELU) outputTileF4Relu(mc, mElem, b, tmp, o, ocB, rowB, oc - co, oh - oy, ow - ox);
            else if (act == ACT_RELU6) outputTileF4Relu6(mc, mElem, b, tmp, o, ocB, rowB, oc - co, oh - oy, ow - ox);
            else outputTileF4Linear(mc, mElem, b, tmp, o, ocB, rowB, oc - co, oh - oy, ow - ox);
          }
          else if (t == 4) outputTile4(mc, mElem, b, out + (<usize>co << 2), ocB, <usize>ow * ocB, oc - co, whole, oy + 1 < oh, ox + 1 < ow, act, alpha, beta);
          else outputTile6(mc, mElem, b, tmp, out + (<usize>co << 2), ocB, <usize>ow * ocB, oc - co, oy + 1 < oh, ox + 1 < ow, act, alpha, beta);
        }
      }
    }
    // F(4x4, 3x3) stored act(x) for the fast activations only, x for the others: apply those now.
    if (m == 4 && !pool && !isFastAct(act)) actRow(yn, yn, oh * ow * oc, act, alpha, beta);
  }
}
