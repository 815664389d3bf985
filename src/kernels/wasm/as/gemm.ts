// GEMM on packed weights: C[M,N] = act(A[M,K] . B + bias), A row-major (any row stride), B packed into 8- and
// 4-wide k-major column panels (layout in ../step-encoding.ts). Register tiles: 4x8 (8 v128 accumulators; leaves
// room in x64's 16 xmm registers for the two B vectors and the A broadcast), 1x8 with k unrolled by 4 (eight
// independent FMA chains, so batch-1 dense is throughput- not latency-bound), and 4x4 / 1x4 for the narrow panel.

import { ACT_LINEAR, ACT_RELU, ACT_RELU6 } from "../step-encoding";
import { fma, splat, actRow } from "./simd";

/** K block: a 256 x 8 sub-panel of B is 8 KiB and stays in L1 while it sweeps all row tiles. */
const KC: i32 = 256;
/** A 4 x 8 float tile for partial tiles (ragged N or M edges); row stride 32 bytes. */
export const TILE: usize = memory.data(4 * 8 * 4, 16);

/** The activations applied on registers in the tile epilogue; all others run over the stored tile. */
// @ts-ignore: decorator
@inline export function isFastAct(code: i32): bool {
  return code == ACT_LINEAR || code == ACT_RELU || code == ACT_RELU6;
}

// @ts-ignore: decorator
@inline export function fastAct(v: v128, code: i32): v128 {
  if (code == ACT_RELU) return f32x4.pmax(v, splat(0.0));
  if (code == ACT_RELU6) return f32x4.pmin(f32x4.pmax(v, splat(0.0)), splat(6.0));
  return v;
}

/** Copies a rows x cols tile between two places with byte row strides. */
export function copyTile(dst: usize, ldd: usize, src: usize, lds: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>r * ldd;
    const s = src + <usize>r * lds;
    for (let j = 0; j < cols; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
  }
}

/** Applies a (slow-path) activation over a stored tile. */
export function actTile(c: usize, ldc: usize, rows: i32, cols: i32, code: i32, alpha: f32, beta: f32): void {
  for (let r = 0; r < rows; r++) {
    const p = c + <usize>r * ldc;
    actRow(p, p, cols, code, alpha, beta);
  }
}

/** 4 rows x 8 columns. a: first A row, lda: A row stride (bytes); b: packed sub-panel; c, ldc: C tile. */
export function mk4x8(a: usize, lda: usize, b: usize, kc: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  let c00 = splat(0.0), c01 = splat(0.0), c10 = splat(0.0), c11 = splat(0.0);
  let c20 = splat(0.0), c21 = splat(0.0), c30 = splat(0.0), c31 = splat(0.0);
  if (first) {
    if (bias != 0) {
      c00 = v128.load(bias); c01 = v128.load(bias, 16);
      c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
    }
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  const kend = <usize>kc << 2;
  for (let k: usize = 0; k < kend; k += 4) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    b += 32;
    let x = v128.load32_splat(a + k);
    c00 = fma(x, b0, c00); c01 = fma(x, b1, c01);
    x = v128.load32_splat(a1 + k);
    c10 = fma(x, b0, c10); c11 = fma(x, b1, c11);
    x = v128.load32_splat(a2 + k);
    c20 = fma(x, b0, c20); c21 = fma(x, b1, c21);
    x = v128.load32_splat(a3 + k);
    c30 = fma(x, b0, c30); c31 = fma(x, b1, c31);
  }
  v128.store(c, fastAct(c00, code)); v128.store(c, fastAct(c01, code), 16);
  v128.store(c + ldc, fastAct(c10, code)); v128.store(c + ldc, fastAct(c11, code), 16);
  v128.store(c + 2 * ldc, fastAct(c20, code)); v128.store(c + 2 * ldc, fastAct(c21, code), 16);
  v128.store(c + 3 * ldc, fastAct(c30, code)); v128.store(c + 3 * ldc, fastAct(c31, code), 16);
}

/**
 * 1 row x 8 columns, k unrolled by 3 into six independent accumulators: enough chains to cover the FMA latency
 * at this kernel's load-bound rate (3 loads per k), few enough that V8 keeps them all in xmm registers (the
 * 4-way / 8-accumulator version spilled two accumulators to the stack and ran 1.7x slower).
 */
export function mk1x8(a: usize, b: usize, kc: i32, c: usize, first: bool, bias: usize, code: i32): void {
  let p0 = splat(0.0), p1 = splat(0.0), q0 = splat(0.0), q1 = splat(0.0), r0 = splat(0.0), r1 = splat(0.0);
  const kend = <usize>kc << 2;
  const k3 = <usize>(kc - kc % 3) << 2;
  let k: usize = 0;
  for (; k < k3; k += 12) {
    let x = v128.load32_splat(a + k);
    p0 = fma(x, v128.load(b), p0); p1 = fma(x, v128.load(b, 16), p1);
    x = v128.load32_splat(a + k, 4);
    q0 = fma(x, v128.load(b, 32), q0); q1 = fma(x, v128.load(b, 48), q1);
    x = v128.load32_splat(a + k, 8);
    r0 = fma(x, v128.load(b, 64), r0); r1 = fma(x, v128.load(b, 80), r1);
    b += 96;
  }
  for (; k < kend; k += 4) {
    const x = v128.load32_splat(a + k);
    p0 = fma(x, v128.load(b), p0); p1 = fma(x, v128.load(b, 16), p1);
    b += 32;
  }
  let i0 = splat(0.0), i1 = splat(0.0);
  if (first) {
    if (bias != 0) { i0 = v128.load(bias); i1 = v128.load(bias, 16); }
  } else {
    i0 = v128.load(c); i1 = v128.load(c, 16);
  }
  p0 = f32x4.add(f32x4.add(p0, q0), r0);
  p1 = f32x4.add(f32x4.add(p1, q1), r1);
  v128.store(c, fastAct(f32x4.add(i0, p0), code));
  v128.store(c, fastAct(f32x4.add(i1, p1), code), 16);
}

/**
 * 1 row x 12 columns: the last 8-wide panel and the 4-wide tail panel in one pass, sharing the A broadcast
 * (batch-1 dense with N mod 8 in 1..4, e.g. 784 -> 10: 4 loads per k instead of 3 + 2 in two passes).
 * k unrolled by 2 (six accumulators): unrolling by 3 made V8 spill accumulators to the stack.
 */
export function mk1x12(a: usize, b: usize, b4: usize, kc: i32, c: usize, c4: usize, first: bool, bias: usize, code: i32): void {
  let p0 = splat(0.0), p1 = splat(0.0), p2 = splat(0.0), q0 = splat(0.0), q1 = splat(0.0), q2 = splat(0.0);
  const kend = <usize>kc << 2;
  const k2 = kend & ~(<usize>7);
  let k: usize = 0;
  for (; k < k2; k += 8) {
    let x = v128.load32_splat(a + k);
    p0 = fma(x, v128.load(b), p0); p1 = fma(x, v128.load(b, 16), p1); p2 = fma(x, v128.load(b4), p2);
    x = v128.load32_splat(a + k, 4);
    q0 = fma(x, v128.load(b, 32), q0); q1 = fma(x, v128.load(b, 48), q1); q2 = fma(x, v128.load(b4, 16), q2);
    b += 64;
    b4 += 32;
  }
  if (k < kend) {
    const x = v128.load32_splat(a + k);
    p0 = fma(x, v128.load(b), p0); p1 = fma(x, v128.load(b, 16), p1); p2 = fma(x, v128.load(b4), p2);
  }
  let i0 = splat(0.0), i1 = splat(0.0), i2 = splat(0.0);
  if (first) {
    if (bias != 0) { i0 = v128.load(bias); i1 = v128.load(bias, 16); i2 = v128.load(bias, 32); }
  } else {
    i0 = v128.load(c); i1 = v128.load(c, 16); i2 = v128.load(c4);
  }
  v128.store(c, fastAct(f32x4.add(i0, f32x4.add(p0, q0)), code));
  v128.store(c, fastAct(f32x4.add(i1, f32x4.add(p1, q1)), code), 16);
  v128.store(c4, fastAct(f32x4.add(i2, f32x4.add(p2, q2)), code));
}

/** 4 rows x 4 columns (the narrow tail panel). */
export function mk4x4(a: usize, lda: usize, b: usize, kc: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  let c0 = splat(0.0), c1 = splat(0.0), c2 = splat(0.0), c3 = splat(0.0);
  if (first) {
    if (bias != 0) { c0 = v128.load(bias); c1 = c0; c2 = c0; c3 = c0; }
  } else {
    c0 = v128.load(c); c1 = v128.load(c + ldc); c2 = v128.load(c + 2 * ldc); c3 = v128.load(c + 3 * ldc);
  }
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  const kend = <usize>kc << 2;
  for (let k: usize = 0; k < kend; k += 4) {
    const b0 = v128.load(b);
    b += 16;
    c0 = fma(v128.load32_splat(a + k), b0, c0);
    c1 = fma(v128.load32_splat(a1 + k), b0, c1);
    c2 = fma(v128.load32_splat(a2 + k), b0, c2);
    c3 = fma(v128.load32_splat(a3 + k), b0, c3);
  }
  v128.store(c, fastAct(c0, code));
  v128.store(c + ldc, fastAct(c1, code));
  v128.store(c + 2 * ldc, fastAct(c2, code));
  v128.store(c + 3 * ldc, fastAct(c3, code));
}

/** 1 row x 4 columns, k unrolled by 4. */
export function mk1x4(a: usize, b: usize, kc: i32, c: usize, first: bool, bias: usize, code: i32): void {
  let p = splat(0.0), q = splat(0.0), r = splat(0.0), s = splat(0.0);
  const kend = <usize>kc << 2;
  const k4 = kend & ~(<usize>15);
  let k: usize = 0;
  for (; k < k4; k += 16) {
    p = fma(v128.load32_splat(a + k), v128.load(b), p);
    q = fma(v128.load32_splat(a + k, 4), v128.load(b, 16), q);
    r = fma(v128.load32_splat(a + k, 8), v128.load(b, 32), r);
    s = fma(v128.load32_splat(a + k, 12), v128.load(b, 48), s);
    b += 64;
  }
  for (; k < kend; k += 4) {
    p = fma(v128.load32_splat(a + k), v128.load(b), p);
    b += 16;
  }
  let i = splat(0.0);
  if (first) {
    if (bias != 0) i = v128.load(bias);
  } else {
    i = v128.load(c);
  }
  v128.store(c, fastAct(f32x4.add(i, f32x4.add(f32x4.add(p, q), f32x4.add(r, s))), code));
}

/**
 * C = act(A . B + bias). a, c: byte addresses; lda, ldc: row strides in floats; bp: packed B for [K, N];
 * bias: N floats zero-padded to the panel width, or 0.
 *
 * Rows in whole groups of 4 run on the 4-row tiles (K blocked when several row tiles share a B sub-panel);
 * the M mod 4 tail rows run afterwards on the 1-row tiles over all of K at once. So the arithmetic of a row
 * depends only on whether it is in a group of 4 or in the tail, never on M: a batch split at multiples of 4
 * rows (worker threads, batch chunks) gives bit-identical results to the whole batch.
 */
export function gemm(a: usize, lda: i32, bp: usize, bias: usize, c: usize, ldc: i32, M: i32, K: i32, N: i32,
  act: i32, alpha: f32, beta: f32): void {
  const ldaB = <usize>lda << 2;
  const ldcB = <usize>ldc << 2;
  const fast = isFastAct(act) ? act : ACT_LINEAR;
  const slow = !isFastAct(act);
  const rem = N & 7;
  const np8 = (N >> 3) + (rem > 4 ? 1 : 0);
  const narrow = rem > 0 && rem <= 4;
  const Kz = <usize>K;
  if (K == 0) {
    // Degenerate contraction: C = act(bias) on every row.
    for (let i = 0; i < M; i++) {
      const cp = c + <usize>i * ldcB;
      for (let j = 0; j < N; j++) store<f32>(cp + (<usize>j << 2), bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0);
      actRow(cp, cp, N, act, alpha, beta);
    }
    return;
  }
  const M4 = M & ~3;
  // Blocking K only pays when a B sub-panel is reused by several row tiles (exact either way: the partial
  // sums are stored and reloaded as float32, the multiply-adds run in the same order).
  const kcMax = M4 <= 4 ? K : KC;
  for (let k0 = 0; k0 < K && M4 > 0; k0 += kcMax) {
    const kc = min(kcMax, K - k0);
    const first = k0 == 0;
    const last = k0 + kc == K;
    const code = last ? fast : ACT_LINEAR;
    const aK = a + (<usize>k0 << 2);
    for (let p = 0; p < np8; p++) {
      const col = p << 3;
      const cols = min(8, N - col);
      const bsub = bp + ((<usize>p * Kz + <usize>k0) << 5);
      const bb = bias != 0 ? bias + (<usize>col << 2) : 0;
      for (let i = 0; i < M4; i += 4) {
        const ap = aK + <usize>i * ldaB;
        const cp = c + <usize>i * ldcB + (<usize>col << 2);
        if (cols == 8) {
          mk4x8(ap, ldaB, bsub, kc, cp, ldcB, first, bb, code);
        } else {
          if (!first) copyTile(TILE, 32, cp, ldcB, 4, cols);
          mk4x8(ap, ldaB, bsub, kc, TILE, 32, first, bb, code);
          copyTile(cp, ldcB, TILE, 32, 4, cols);
        }
        if (last && slow) actTile(cp, ldcB, 4, cols, act, alpha, beta);
      }
    }
    if (narrow) {
      const col = np8 << 3;
      const cols = N - col;
      const bsub = bp + ((<usize>np8 * Kz) << 5) + (<usize>k0 << 4);
      const bb = bias != 0 ? bias + (<usize>col << 2) : 0;
      for (let i = 0; i < M4; i += 4) {
        const ap = aK + <usize>i * ldaB;
        const cp = c + <usize>i * ldcB + (<usize>col << 2);
        if (cols == 4) {
          mk4x4(ap, ldaB, bsub, kc, cp, ldcB, first, bb, code);
        } else {
          if (!first) copyTile(TILE, 32, cp, ldcB, 4, cols);
          mk4x4(ap, ldaB, bsub, kc, TILE, 32, first, bb, code);
          copyTile(cp, ldcB, TILE, 32, 4, cols);
        }
        if (last && slow) actTile(cp, ldcB, 4, cols, act, alpha, beta);
      }
    }
  }
  // Tail rows: one pass over all of K per row and panel.
  for (let i = M4; i < M; i++) {
    const ap = a + <usize>i * ldaB;
    const crow = c + <usize>i * ldcB;
    for (let p = 0; p < np8; p++) {
      const col = p << 3;
      const cols = min(8, N - col);
      const bsub = bp + ((<usize>p * Kz) << 5);
      const bb = bias != 0 ? bias + (<usize>col << 2) : 0;
      const cp = crow + (<usize>col << 2);
      if (narrow && p == np8 - 1) {
        // The last 8-wide panel and the 4-wide tail in one pass (mk1x12); the tail through TILE when it has
        // fewer than 4 real columns.
        const cols4 = N - (col + 8);
        const b4 = bp + ((<usize>np8 * Kz) << 5);
        const c4 = cols4 == 4 ? cp + 32 : TILE;
        mk1x12(ap, bsub, b4, K, cp, c4, true, bb, fast);
        if (cols4 < 4) copyTile(cp + 32, ldcB, TILE, 32, 1, cols4);
        if (slow) actRow(cp, cp, 8 + cols4, act, alpha, beta);
        continue;
      }
      if (cols == 8) {
        mk1x8(ap, bsub, K, cp, true, bb, fast);
      } else {
        mk1x8(ap, bsub, K, TILE, true, bb, fast);
        copyTile(cp, ldcB, TILE, 32, 1, cols);
      }
      if (slow) actRow(cp, cp, cols, act, alpha, beta);
    }
    if (narrow && np8 == 0) {
      const cols = N;
      if (cols == 4) {
        mk1x4(ap, bp, K, crow, true, bias, fast);
      } else {
        mk1x4(ap, bp, K, TILE, true, bias, fast);
        copyTile(crow, ldcB, TILE, 32, 1, cols);
      }
      if (slow) actRow(crow, crow, cols, act, alpha, beta);
    }
  }
}
