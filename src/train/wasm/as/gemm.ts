// AssemblyScript, compiled by scripts/build-train-wasm.mjs (asc); tsconfig.json excludes it from tsc.
// General GEMM for training: C[M, N] (+)= op(A) . op(B), any of A / B transposed, all row-major contiguous.
// GotoBLAS-style: op(B) is packed once into 8-column k-major panels; op(A) is packed per (KC x MC) block into
// 4-row k-major panels (that is where the transposes disappear); a 4x8 register tile (8 v128 accumulators,
// 2 B vectors, 1 broadcast: 11 of x64's 16 xmm registers, so V8 keeps them all in registers) does the work.
// Blocks: a KC x 8 B sub-panel (8 KiB) stays in L1 across the MC rows of an A block (64 KiB, L2).

import { fma } from "./simd";

const KC: i32 = 256;
const MC: i32 = 64;
/** 4 x 8 floats for ragged edge tiles. */
const TILE: usize = memory.data(4 * 8 * 4, 16);

// @ts-ignore: decorator
@inline function align64(p: usize): usize {
  return (p + 63) & ~(<usize>63);
}

/** Bytes of scratch gemm() needs for these sizes (packed B, one packed A block, alignment slack). */
export function gemmScratchBytes(M: i32, N: i32, K: i32): i32 {
  const panels = (N + 7) >> 3;
  return panels * K * 32 + MC * KC * 4 + 256;
}

/** Packs op(B) ([K, N]; stored [N, K] when transB) into ceil(N/8) panels of [K][8], zero-padded. */
function packB(b: usize, transB: bool, K: i32, N: i32, dst: usize): void {
  const panels = (N + 7) >> 3;
  for (let p = 0; p < panels; p++) {
    const j0 = p << 3;
    const cols = min(8, N - j0);
    const d0 = dst + <usize>p * <usize>K * 32;
    if (!transB) {
      if (cols == 8) {
        for (let k = 0; k < K; k++) {
          const s = b + ((<usize>k * <usize>N + <usize>j0) << 2);
          const d = d0 + (<usize>k << 5);
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        }
      } else {
        for (let k = 0; k < K; k++) {
          const s = b + ((<usize>k * <usize>N + <usize>j0) << 2);
          const d = d0 + (<usize>k << 5);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let c = 0; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(s + (<usize>c << 2)));
        }
      }
    } else {
      // B stored [N, K]: column j of op(B) is row j of B, contiguous in k.
      if (cols < 8) memory.fill(d0, 0, <usize>K * 32);
      for (let c = 0; c < cols; c++) {
        const s = b + ((<usize>(j0 + c) * <usize>K) << 2);
        const d = d0 + (<usize>c << 2);
        for (let k = 0; k < K; k++) store<f32>(d + (<usize>k << 5), load<f32>(s + (<usize>k << 2)));
      }
    }
  }
}

/**
 * Packs rows [i0, i0 + mc) x columns [k0, k0 + kc) of op(A) ([M, K]; stored [K, M] when transA) into
 * ceil(mc/4) panels of [kc][4], rows past M zero.
 */
function packA(a: usize, transA: bool, M: i32, K: i32, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  const panels = (mc + 3) >> 2;
  for (let q = 0; q < panels; q++) {
    const i = i0 + (q << 2);
    const rows = min(4, M - i);
    const d0 = dst + <usize>q * <usize>kc * 16;
    if (transA) {
      if (rows == 4) {
        for (let k = 0; k < kc; k++) v128.store(d0 + (<usize>k << 4), v128.load(a + ((<usize>(k0 + k) * <usize>M + <usize>i) << 2)));
      } else {
        for (let k = 0; k < kc; k++) {
          const s = a + ((<usize>(k0 + k) * <usize>M + <usize>i) << 2);
          const d = d0 + (<usize>k << 4);
          v128.store(d, f32x4.splat(0));
          for (let r = 0; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + (<usize>r << 2)));
        }
      }
    } else if (rows == 4) {
      // Four rows at a time: load 4 x 4, transpose in registers, store 4 k-slices.
      const s0 = a + ((<usize>i * <usize>K + <usize>k0) << 2);
      const ld = <usize>K << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2;
        const r0 = v128.load(s0 + o), r1 = v128.load(s0 + ld + o), r2 = v128.load(s0 + 2 * ld + o), r3 = v128.load(s0 + 3 * ld + o);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const d = d0 + (<usize>k << 4);
        v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
        v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
        v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
      }
      for (; k < kc; k++) {
        const o = <usize>k << 2;
        const d = d0 + (<usize>k << 4);
        store<f32>(d, load<f32>(s0 + o));
        store<f32>(d + 4, load<f32>(s0 + ld + o));
        store<f32>(d + 8, load<f32>(s0 + 2 * ld + o));
        store<f32>(d + 12, load<f32>(s0 + 3 * ld + o));
      }
    } else {
      memory.fill(d0, 0, <usize>kc * 16);
      for (let r = 0; r < rows; r++) {
        const s = a + ((<usize>(i + r) * <usize>K + <usize>k0) << 2);
        const d = d0 + (<usize>r << 2);
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const v = v128.load(s + (<usize>k << 2));
          const dk = d + (<usize>k << 4);
          store<f32>(dk, f32x4.extract_lane(v, 0));
          store<f32>(dk + 16, f32x4.extract_lane(v, 1));
          store<f32>(dk + 32, f32x4.extract_lane(v, 2));
          store<f32>(dk + 48, f32x4.extract_lane(v, 3));
        }
        for (; k < kc; k++) store<f32>(d + (<usize>k << 4), load<f32>(s + (<usize>k << 2)));
      }
    }
  }
}

/** The 4x8 tile: C[4, 8] (+)= Apanel[kc][4] . Bpanel[kc][8]; ldc in bytes. */
function kernel4x8(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = fma(x, b0, c00); c01 = fma(x, b1, c01);
    x = v128.load32_splat(ap, 4);
    c10 = fma(x, b0, c10); c11 = fma(x, b1, c11);
    x = v128.load32_splat(ap, 8);
    c20 = fma(x, b0, c20); c21 = fma(x, b1, c21);
    x = v128.load32_splat(ap, 12);
    c30 = fma(x, b0, c30); c31 = fma(x, b1, c31);
    ap += 16;
    bp += 32;
  }
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1)); c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2)); c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3)); c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/**
 * C[M, N] = op(A) . op(B) (+ C when accumulate). A: [M, K] or, transA, [K, M]; B: [K, N] or, transB, [N, K].
 * scratch: gemmScratchBytes(M, N, K) bytes, 16-byte aligned.
 */
export function gemm(transA: bool, transB: bool, M: i32, N: i32, K: i32, a: usize, b: usize, c: usize, accumulate: bool, scratch: usize): void {
  if (M <= 0 || N <= 0) return;
  const ldc = <usize>N << 2;
  if (K <= 0) {
    if (!accumulate) memory.fill(c, 0, <usize>M * ldc);
    return;
  }
  const panels = (N + 7) >> 3;
  const bp = align64(scratch);
  packB(b, transB, K, N, bp);
  const ap = align64(bp + <usize>panels * <usize>K * 32);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const add = accumulate || k0 > 0;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = min(MC, M - i0);
      packA(a, transA, M, K, i0, mc, k0, kc, ap);
      const tiles = (mc + 3) >> 2;
      for (let p = 0; p < panels; p++) {
        const j = p << 3;
        const cols = min(8, N - j);
        const bsub = bp + (<usize>p * <usize>K + <usize>k0) * 32;
        for (let q = 0; q < tiles; q++) {
          const i = i0 + (q << 2);
          const rows = min(4, M - i);
          const apan = ap + <usize>q * <usize>kc * 16;
          const cp = c + <usize>i * ldc + (<usize>j << 2);
          if (rows == 4 && cols == 8) {
            kernel4x8(apan, bsub, kc, cp, ldc, add);
          } else {
            kernel4x8(apan, bsub, kc, TILE, 32, false);
            for (let r = 0; r < rows; r++) {
              const crow = cp + <usize>r * ldc;
              const trow = TILE + (<usize>r << 5);
              for (let t = 0; t < cols; t++) {
                const off = <usize>t << 2;
                const v = load<f32>(trow + off);
                store<f32>(crow + off, add ? load<f32>(crow + off) + v : v);
              }
            }
          }
        }
      }
    }
  }
}
