// GEMM on packed weights: C[M,N] = act(A[M,K] . B + bias), A row-major (any row stride), B packed into 8- and
// 4-wide k-major column panels (layout in ../step-encoding.ts). Every output is summed in the order
// step-encoding.ts fixes (KSPLIT_*: blocks of k, each as interleaved in-order FMA chains, the chain sums added
// in order), whichever kernel computes it, so a row's bits do not depend on the batch. Register tiles: 4x8
// (8 v128 accumulators; leaves room in x64's 16 xmm registers for the two B vectors and the A broadcast) and 4x4
// for the narrow panel, one chain of one block per pass; for single rows, 1x8, 1x12 and 1x4 kernels that run a
// block's chains at once (independent FMA chains, so batch-1 dense is throughput- not latency-bound).

import { ACT_LINEAR, ACT_RELU, ACT_RELU6, KSPLIT_BLOCK, KSPLIT_CHAINS, KSPLIT_MIN } from "../step-encoding";
import { fma, splat, actRow } from "./simd";

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

/**
 * Chains per k block of a [K, N] product (step-encoding.ts KSPLIT_*): 2 for N = 9..12, whose one-row kernel
 * (gemv12) holds the accumulators of only 2 chains for its 12 columns.
 */
// @ts-ignore: decorator
@inline function kChains(K: i32, N: i32): i32 {
  return K < KSPLIT_MIN ? 1 : N > 8 && N <= 12 ? 2 : KSPLIT_CHAINS;
}

/** Number of k blocks of a K-long sum. */
// @ts-ignore: decorator
@inline function kBlocks(K: i32): i32 {
  return (K + KSPLIT_BLOCK - 1) / KSPLIT_BLOCK;
}

/** First k of block j of nb blocks, K = nb * base + extra (the first `extra` blocks are one longer). */
// @ts-ignore: decorator
@inline function kStart(j: i32, base: i32, extra: i32): i32 {
  return j * base + min(j, extra);
}

/**
 * The end of one chain of an output vector: its sum s is added to what came before: the bias (the first chain),
 * the partial result stored at c (later chains), or nothing (first chain, no bias: s itself, never 0 + s, which
 * would turn a fused chain's -0 into +0 in one kernel and not in another).
 */
// @ts-ignore: decorator
@inline function endChain(s: v128, first: bool, bias: usize, c: usize): v128 {
  if (!first) return f32x4.add(v128.load(c), s);
  return bias != 0 ? f32x4.add(v128.load(bias), s) : s;
}

/**
 * 4 rows x 8 columns, one chain of kc k-steps, ks apart (1, or the chains per block: kChains). a: first A row at
 * the chain's first k, lda: A row stride (bytes); b: packed panel at that k; c, ldc: C tile. first: the first
 * chain (adds the bias), else the chain's sums are added to C.
 */
// @ts-ignore: decorator
@inline function tile4x8(a: usize, lda: usize, b: usize, kc: i32, ks: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  let c00 = splat(0.0), c01 = splat(0.0), c10 = splat(0.0), c11 = splat(0.0);
  let c20 = splat(0.0), c21 = splat(0.0), c30 = splat(0.0), c31 = splat(0.0);
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  const ka = <usize>ks << 2, kb = <usize>ks << 5;
  const kend = <usize>kc * ka;
  for (let k: usize = 0; k < kend; k += ka) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    b += kb;
    let x = v128.load32_splat(a + k);
    c00 = fma(x, b0, c00); c01 = fma(x, b1, c01);
    x = v128.load32_splat(a1 + k);
    c10 = fma(x, b0, c10); c11 = fma(x, b1, c11);
    x = v128.load32_splat(a2 + k);
    c20 = fma(x, b0, c20); c21 = fma(x, b1, c21);
    x = v128.load32_splat(a3 + k);
    c30 = fma(x, b0, c30); c31 = fma(x, b1, c31);
  }
  const bias1 = bias != 0 ? bias + 16 : 0;
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  v128.store(c, fastAct(endChain(c00, first, bias, c), code));
  v128.store(c, fastAct(endChain(c01, first, bias1, c + 16), code), 16);
  v128.store(r1, fastAct(endChain(c10, first, bias, r1), code));
  v128.store(r1, fastAct(endChain(c11, first, bias1, r1 + 16), code), 16);
  v128.store(r2, fastAct(endChain(c20, first, bias, r2), code));
  v128.store(r2, fastAct(endChain(c21, first, bias1, r2 + 16), code), 16);
  v128.store(r3, fastAct(endChain(c30, first, bias, r3), code));
  v128.store(r3, fastAct(endChain(c31, first, bias1, r3 + 16), code), 16);
}

// @ts-ignore: decorator
@inline function tile4x4(a: usize, lda: usize, b: usize, kc: i32, ks: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  let c0 = splat(0.0), c1 = splat(0.0), c2 = splat(0.0), c3 = splat(0.0);
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  const ka = <usize>ks << 2, kb = <usize>ks << 4;
  const kend = <usize>kc * ka;
  for (let k: usize = 0; k < kend; k += ka) {
    const b0 = v128.load(b);
    b += kb;
    c0 = fma(v128.load32_splat(a + k), b0, c0);
    c1 = fma(v128.load32_splat(a1 + k), b0, c1);
    c2 = fma(v128.load32_splat(a2 + k), b0, c2);
    c3 = fma(v128.load32_splat(a3 + k), b0, c3);
  }
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  v128.store(c, fastAct(endChain(c0, first, bias, c), code));
  v128.store(r1, fastAct(endChain(c1, first, bias, r1), code));
  v128.store(r2, fastAct(endChain(c2, first, bias, r2), code));
  v128.store(r3, fastAct(endChain(c3, first, bias, r3), code));
}

/**
 * The 4x8 tile over consecutive k-steps, for Winograd's GEMMs: Binaryen inlines it into that one caller with its
 * constants (first chain, no bias, linear), so the stride and the epilogue's branches fold away: expert conv2
 * 41 -> 34-36 us (docs/kernels.md). The GEMM's chain passes use mk4x8s.
 */
export function mk4x8(a: usize, lda: usize, b: usize, kc: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  tile4x8(a, lda, b, kc, 1, c, ldc, first, bias, code);
}

/** The 4x8 tile over one chain of a block, k-steps ks apart. */
export function mk4x8s(a: usize, lda: usize, b: usize, kc: i32, ks: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  tile4x8(a, lda, b, kc, ks, c, ldc, first, bias, code);
}

/** 4 rows x 4 columns (the narrow tail panel); as mk4x8. */
export function mk4x4(a: usize, lda: usize, b: usize, kc: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  tile4x4(a, lda, b, kc, 1, c, ldc, first, bias, code);
}

/** The 4x4 tile over one chain of a block, k-steps ks apart. */
export function mk4x4s(a: usize, lda: usize, b: usize, kc: i32, ks: i32, c: usize, ldc: usize, first: bool, bias: usize, code: i32): void {
  tile4x4(a, lda, b, kc, ks, c, ldc, first, bias, code);
}

/**
 * One row x 8 columns over all of K (the one-row GEMV: batch 1, and the M mod 4 tail rows): per block, its three
 * chains at once, k unrolled by 3 over one contiguous stream of weights (six independent FMA chains: enough to
 * cover the FMA latency at this kernel's load-bound rate, few enough that V8 keeps them in xmm registers; eight
 * spilled and ran 1.7x slower); then the chain sums in order, as mk4x8's passes add them. g: chains per block
 * (3, or 1 for a short K); b: the panel at k = 0.
 */
export function gemv8(a: usize, b: usize, K: i32, g: i32, c: usize, bias: usize, code: i32): void {
  const three = g == 3;
  const nb = kBlocks(K), base = K / nb, extra = K - nb * base;
  for (let j = 0; j < nb; j++) {
    const k0 = kStart(j, base, extra);
    const kb = base + (j < extra ? 1 : 0);
    const ab = a + (<usize>k0 << 2);
    let bb = b + (<usize>k0 << 5);
    let p0 = splat(0.0), p1 = splat(0.0), q0 = splat(0.0), q1 = splat(0.0), r0 = splat(0.0), r1 = splat(0.0);
    let kend = <usize>kb << 2;
    if (three) {
      kend = <usize>(kb / 3) * 12;
      for (let k: usize = 0; k < kend; k += 12) {
        let x = v128.load32_splat(ab + k);
        p0 = fma(x, v128.load(bb), p0); p1 = fma(x, v128.load(bb, 16), p1);
        x = v128.load32_splat(ab + k, 4);
        q0 = fma(x, v128.load(bb, 32), q0); q1 = fma(x, v128.load(bb, 48), q1);
        x = v128.load32_splat(ab + k, 8);
        r0 = fma(x, v128.load(bb, 64), r0); r1 = fma(x, v128.load(bb, 80), r1);
        bb += 96;
      }
      // A short last block: its first kb mod 3 chains have one more k-step.
      if (kb % 3 > 0) {
        const x = v128.load32_splat(ab + kend);
        p0 = fma(x, v128.load(bb), p0); p1 = fma(x, v128.load(bb, 16), p1);
      }
      if (kb % 3 > 1) {
        const x = v128.load32_splat(ab + kend, 4);
        q0 = fma(x, v128.load(bb, 32), q0); q1 = fma(x, v128.load(bb, 48), q1);
      }
    } else {
      for (let k: usize = 0; k < kend; k += 4) {
        const x = v128.load32_splat(ab + k);
        p0 = fma(x, v128.load(bb), p0); p1 = fma(x, v128.load(bb, 16), p1);
        bb += 32;
      }
    }
    // The running sums wait in C between blocks (exact), so that registers hold only the six chains.
    let o0 = endChain(p0, k0 == 0, bias, c), o1 = endChain(p1, k0 == 0, bias != 0 ? bias + 16 : 0, c + 16);
    if (three && kb > 1) { o0 = f32x4.add(o0, q0); o1 = f32x4.add(o1, q1); }
    if (three && kb > 2) { o0 = f32x4.add(o0, r0); o1 = f32x4.add(o1, r1); }
    const lastCode = j == nb - 1 ? code : ACT_LINEAR;
    v128.store(c, fastAct(o0, lastCode));
    v128.store(c, fastAct(o1, lastCode), 16);
  }
}

/**
 * One row x 12 columns (N = 9..12: one 8-wide panel b and the 4-wide tail b4) in one pass sharing the A
 * broadcasts; these N take two chains per block (kChains), six accumulators: three chains' nine spilled (1.1 vs
 * 0.6 us at 784 -> 10), and separate 8- and 4-wide passes took 0.8.
 */
export function gemv12(a: usize, b: usize, b4: usize, K: i32, g: i32, c: usize, c4: usize, bias: usize, code: i32): void {
  const two = g == 2;
  const nb = kBlocks(K), base = K / nb, extra = K - nb * base;
  let o0 = splat(0.0), o1 = splat(0.0), o2 = splat(0.0);
  for (let j = 0; j < nb; j++) {
    const k0 = kStart(j, base, extra);
    const kb = base + (j < extra ? 1 : 0);
    const ab = a + (<usize>k0 << 2);
    let bb = b + (<usize>k0 << 5), bt = b4 + (<usize>k0 << 4);
    let p0 = splat(0.0), p1 = splat(0.0), p2 = splat(0.0), q0 = splat(0.0), q1 = splat(0.0), q2 = splat(0.0);
    const kend = two ? <usize>(kb >> 1) << 3 : <usize>kb << 2;
    if (two) {
      for (let k: usize = 0; k < kend; k += 8) {
        let x = v128.load32_splat(ab + k);
        p0 = fma(x, v128.load(bb), p0); p1 = fma(x, v128.load(bb, 16), p1); p2 = fma(x, v128.load(bt), p2);
        x = v128.load32_splat(ab + k, 4);
        q0 = fma(x, v128.load(bb, 32), q0); q1 = fma(x, v128.load(bb, 48), q1); q2 = fma(x, v128.load(bt, 16), q2);
        bb += 64;
        bt += 32;
      }
    } else {
      for (let k: usize = 0; k < kend; k += 4) {
        const x = v128.load32_splat(ab + k);
        p0 = fma(x, v128.load(bb), p0); p1 = fma(x, v128.load(bb, 16), p1); p2 = fma(x, v128.load(bt), p2);
        bb += 32;
        bt += 16;
      }
    }
    // An odd block: chain 0 has one more k-step.
    if (two && (kb & 1) != 0) {
      const x = v128.load32_splat(ab + kend);
      p0 = fma(x, v128.load(bb), p0); p1 = fma(x, v128.load(bb, 16), p1); p2 = fma(x, v128.load(bt), p2);
    }
    if (k0 == 0) {
      o0 = endChain(p0, true, bias, 0);
      o1 = endChain(p1, true, bias != 0 ? bias + 16 : 0, 0);
      o2 = endChain(p2, true, bias != 0 ? bias + 32 : 0, 0);
    } else {
      o0 = f32x4.add(o0, p0); o1 = f32x4.add(o1, p1); o2 = f32x4.add(o2, p2);
    }
    if (two && kb > 1) { o0 = f32x4.add(o0, q0); o1 = f32x4.add(o1, q1); o2 = f32x4.add(o2, q2); }
  }
  v128.store(c, fastAct(o0, code));
  v128.store(c, fastAct(o1, code), 16);
  v128.store(c4, fastAct(o2, code));
}

/**
 * One row x 4 columns (the narrow tail panel) over all of K: as gemv8 (g = 3 or 1). Running two blocks' six
 * chains at once measured slower (0.60 vs 0.40 us at K = 784). b: the 4-wide panel at k = 0.
 */
export function gemv4(a: usize, b: usize, K: i32, g: i32, c: usize, bias: usize, code: i32): void {
  const three = g == 3;
  const nb = kBlocks(K), base = K / nb, extra = K - nb * base;
  let o = splat(0.0);
  for (let j = 0; j < nb; j++) {
    const k0 = kStart(j, base, extra);
    const kb = base + (j < extra ? 1 : 0);
    const ab = a + (<usize>k0 << 2);
    let bb = b + (<usize>k0 << 4);
    let p = splat(0.0), q = splat(0.0), r = splat(0.0);
    let kend = <usize>kb << 2;
    if (three) {
      kend = <usize>(kb / 3) * 12;
      for (let k: usize = 0; k < kend; k += 12) {
        p = fma(v128.load32_splat(ab + k), v128.load(bb), p);
        q = fma(v128.load32_splat(ab + k, 4), v128.load(bb, 16), q);
        r = fma(v128.load32_splat(ab + k, 8), v128.load(bb, 32), r);
        bb += 48;
      }
      if (kb % 3 > 0) p = fma(v128.load32_splat(ab + kend), v128.load(bb), p);
      if (kb % 3 > 1) q = fma(v128.load32_splat(ab + kend, 4), v128.load(bb, 16), q);
    } else {
      for (let k: usize = 0; k < kend; k += 4) {
        p = fma(v128.load32_splat(ab + k), v128.load(bb), p);
        bb += 16;
      }
    }
    o = k0 == 0 ? endChain(p, true, bias, 0) : f32x4.add(o, p);
    if (three && kb > 1) o = f32x4.add(o, q);
    if (three && kb > 2) o = f32x4.add(o, r);
  }
  v128.store(c, fastAct(o, code));
}

/**
 * One chain pass of one column panel over the rows in whole groups of 4: the 4x8 tile (wide) or the 4x4 one
 * (narrow panel), through TILE where the panel has fewer real columns; then the slow activation (slowAct >= 0)
 * over the stored tile.
 */
function passRows(wide: bool, a: usize, ldaB: usize, b: usize, kc: i32, ks: i32, c: usize, ldcB: usize, M4: i32, cols: i32,
  first: bool, bias: usize, code: i32, slowAct: i32, alpha: f32, beta: f32): void {
  const whole = cols == (wide ? 8 : 4);
  for (let i = 0; i < M4; i += 4) {
    const ap = a + <usize>i * ldaB;
    const cp = c + <usize>i * ldcB;
    const dst = whole ? cp : TILE;
    const ldd = whole ? ldcB : 32;
    if (!whole && !first) copyTile(TILE, 32, cp, ldcB, 4, cols);
    if (wide) mk4x8s(ap, ldaB, b, kc, ks, dst, ldd, first, bias, code);
    else mk4x4s(ap, ldaB, b, kc, ks, dst, ldd, first, bias, code);
    if (!whole) copyTile(cp, ldcB, TILE, 32, 4, cols);
    if (slowAct >= 0) actTile(cp, ldcB, 4, cols, slowAct, alpha, beta);
  }
}

/**
 * C = act(A . B + bias). a, c: byte addresses; lda, ldc: row strides in floats; bp: packed B for [K, N];
 * bias: N floats zero-padded to the panel width, or 0.
 *
 * Rows in whole groups of 4 run on the 4-row tiles, one chain of one k block per pass over all column panels (a
 * block's sub-panel stays in L1 while its chains sweep the row tiles); the M mod 4 tail rows run on the one-row kernels over
 * all of K at once. Both sum every output in the order KSPLIT_* fixes, so a row's bits depend on neither M nor
 * its place in the batch.
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
  const g = kChains(K, N);
  const nb = kBlocks(K), base = K / nb, extra = K - nb * base;
  for (let j = 0; j < nb && M4 > 0; j++) {
    const k0 = kStart(j, base, extra);
    const kb = base + (j < extra ? 1 : 0);
    const chains = min(g, kb);
    for (let u = 0; u < chains; u++) {
      // Chain u of the block: k = k0 + u, k0 + u + g, ...
      const ku = <usize>(k0 + u);
      const kc = (kb - u + g - 1) / g;
      const first = ku == 0;
      const last = k0 + kb == K && u == chains - 1;
      const code = last ? fast : ACT_LINEAR;
      const aK = a + (ku << 2);
      for (let p = 0; p < np8; p++) {
        const col = p << 3;
        passRows(true, aK, ldaB, bp + ((<usize>p * Kz + ku) << 5), kc, g, c + (<usize>col << 2), ldcB, M4, min(8, N - col),
          first, bias != 0 ? bias + (<usize>col << 2) : 0, code, last && slow ? act : -1, alpha, beta);
      }
      if (narrow) {
        const col = np8 << 3;
        passRows(false, aK, ldaB, bp + ((<usize>np8 * Kz) << 5) + (ku << 4), kc, g, c + (<usize>col << 2), ldcB, M4, N - col,
          first, bias != 0 ? bias + (<usize>col << 2) : 0, code, last && slow ? act : -1, alpha, beta);
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
      if (narrow && np8 == 1) {
        // N = 9..12: the panel and the 4-wide tail in one pass; the tail through TILE when it has fewer than 4
        // real columns.
        const c4 = N == 12 ? cp + 32 : TILE;
        gemv12(ap, bsub, bp + (Kz << 5), K, g, cp, c4, bb, fast);
        if (N < 12) copyTile(cp + 32, ldcB, TILE, 32, 1, N - 8);
      } else if (cols == 8) {
        gemv8(ap, bsub, K, g, cp, bb, fast);
      } else {
        gemv8(ap, bsub, K, g, TILE, bb, fast);
        copyTile(cp, ldcB, TILE, 32, 1, cols);
      }
    }
    if (narrow && np8 != 1) {
      const col = np8 << 3;
      const cols = N - col;
      const bsub = bp + ((<usize>np8 * Kz) << 5);
      const bb = bias != 0 ? bias + (<usize>col << 2) : 0;
      if (cols == 4) {
        gemv4(ap, bsub, K, g, crow + (<usize>col << 2), bb, fast);
      } else {
        gemv4(ap, bsub, K, g, TILE, bb, fast);
        copyTile(crow + (<usize>col << 2), ldcB, TILE, 32, 1, cols);
      }
    }
    if (slow) actRow(crow, crow, N, act, alpha, beta);
  }
}
