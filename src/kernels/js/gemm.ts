// Register-blocked GEMM / GEMV for the plain-JS kernels: B (weights) packed once into column panels, A packed
// into 4-row interleaved blocks per call (into preallocated scratch), scalar float64 accumulators in locals.
// Tile shapes were measured (bench/js-kernels.ts and micro-benchmarks of 4x4, 4x2, 2x4, 3x4, 3x8, 2x8, 4x8, 1x8
// tiles, k unrolled by 2 or not, on V8 11.3 (Node 20) / x64, CPU time): 4x4 with one B value live at a time was
// fastest (4.3-4.6 GFLOP/s, ~4x the naive loop; 4x8 and unrolling lost 5-15%); for one row (GEMV), 8-wide panels
// beat 4 and 16 and the unpacked row-major walk (3.7 GFLOP/s on 3136 x 1024).
// Sums start from the bias and add products in k order, in float64: the same operations, in the same order,
// as the reference kernels, so results are normally bit-identical before the activation.
// The float64 forms (gemm4x4F64, gemv8F64, packPanelsF64, packRowF64F64) repeat their float32 twins on purpose:
// one function over both typed-array types would make its loads and stores polymorphic in V8, in the hottest
// loops of the JS back end.

/** Columns per B panel of the GEMM micro-kernel (rows per A block are 4 too). */
export const GEMM_NR = 4;
/** Columns per B panel of the GEMV kernel. */
export const GEMV_NR = 8;

/** Number of `nr`-wide panels covering n columns. */
export function panelCount(n: number, nr: number): number {
  return Math.ceil(n / nr);
}

/** Rows of B packed per sweep over the panels (see packPanels). */
const PACK_ROW_BLOCK = 64;

/**
 * Packs columns [col0, col0 + n) of a row-major B [k][ldb] (starting at src[off]) into panels
 * [ceil(n / nr)][k][nr], zero-padded, at dst[dstOff]. Allocation-free (dst is given).
 * Rows go in blocks of PACK_ROW_BLOCK: a block of B stays in cache while every panel takes its slice, where a
 * whole-panel walk reads one 32-byte piece per row of the full matrix (deep-mnist's 3136 x 1024 dense kernel:
 * 20 ms -> 8 ms, a large part of its load + compile time).
 */
export function packPanels(src: Float32Array, off: number, k: number, ldb: number, col0: number, n: number, nr: number, dst: Float32Array, dstOff = 0): void {
  const panels = panelCount(n, nr);
  for (let r0 = 0; r0 < k; r0 += PACK_ROW_BLOCK) {
    const r1 = Math.min(k, r0 + PACK_ROW_BLOCK);
    for (let p = 0; p < panels; p++) {
      const c0 = col0 + p * nr;
      const w = Math.min(nr, n - p * nr);
      let d = dstOff + (p * k + r0) * nr;
      for (let r = r0; r < r1; r++) {
        const s = off + r * ldb + c0;
        let j = 0;
        for (; j < w; j++) dst[d + j] = src[s + j];
        for (; j < nr; j++) dst[d + j] = 0;
        d += nr;
      }
    }
  }
}

/** Floats needed for packPanels of k x n. */
export function packedSize(k: number, n: number, nr: number): number {
  return panelCount(n, nr) * nr * k;
}

// Packed copies of constant weights, shared by every plan (batch sizes) bound to the same weights.
const packCache = new WeakMap<Float32Array, Map<string, Float32Array | Float64Array>>();

function cached<T extends Float32Array | Float64Array>(src: Float32Array, key: string, make: () => T): T {
  let m = packCache.get(src);
  if (!m) packCache.set(src, (m = new Map()));
  let p = m.get(key);
  if (!p) m.set(key, (p = make()));
  return p as T;
}

/** A packed copy of constant weights, made once per (weights, layout) and cached. */
export function cachedPack(src: Float32Array, key: string, size: number, pack: (dst: Float32Array) => void): Float32Array {
  return cached(src, `f32:${key}`, () => {
    const p = new Float32Array(size);
    pack(p);
    return p;
  });
}

/** cachedPack for float64 packings. */
export function cachedPackF64(src: Float32Array, key: string, size: number, pack: (dst: Float64Array) => void): Float64Array {
  return cached(src, `f64:${key}`, () => {
    const p = new Float64Array(size);
    pack(p);
    return p;
  });
}

/** True when every value is finite (no NaN, no Inf). */
export function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) return false;
  }
  return true;
}

/**
 * Packs rows [r0, r0 + rows) of a row-major A (row stride lda, from src[off]) into 4-row interleaved blocks
 * [ceil(rows / 4)][k][4], zero-padding the last block.
 */
export function packRows4(src: Float32Array, off: number, lda: number, rows: number, k: number, dst: Float32Array): void {
  const blocks = (rows + 3) >> 2;
  for (let b = 0; b < blocks; b++) {
    const base = b * k * 4;
    for (let r = 0; r < 4; r++) {
      const row = b * 4 + r;
      let d = base + r;
      if (row < rows) {
        const s = off + row * lda;
        for (let i = 0; i < k; i++, d += 4) dst[d] = src[s + i];
      } else {
        for (let i = 0; i < k; i++, d += 4) dst[d] = 0;
      }
    }
  }
}

const EDGE = new Float64Array(16);

function storeEdge(c: Float32Array, o: number, ldc: number, rows: number, cols: number): void {
  const mr = rows < 4 ? rows : 4;
  const nc = cols < 4 ? cols : 4;
  for (let i = 0; i < mr; i++) for (let j = 0; j < nc; j++) c[o + i * ldc + j] = EDGE[i * 4 + j];
}

/**
 * C[rows][n] (at c[cOff], row stride ldc) = bias + A · B, A packed by packRows4 (or an im2col writing the same
 * layout), B packed by packPanels with nr = 4, bias padded to the panel width (zeros when there is none);
 * then max(0, .) when relu is set.
 */
export function gemm4x4(ap: Float32Array, rows: number, k: number, bp: Float32Array, bpOff: number, n: number, bias: Float32Array, biasOff: number, c: Float32Array, cOff: number, ldc: number, relu = false): void {
  const panels = (n + 3) >> 2;
  const kb = k * 4;
  for (let i0 = 0, ab = 0; i0 < rows; i0 += 4, ab += kb) {
    const fullRows = i0 + 4 <= rows;
    for (let p = 0, bb = bpOff; p < panels; p++, bb += kb) {
      const j0 = p * 4;
      const bi = biasOff + j0;
      const b0 = bias[bi];
      const b1 = bias[bi + 1];
      const b2 = bias[bi + 2];
      const b3 = bias[bi + 3];
      let c00 = b0, c01 = b1, c02 = b2, c03 = b3;
      let c10 = b0, c11 = b1, c12 = b2, c13 = b3;
      let c20 = b0, c21 = b1, c22 = b2, c23 = b3;
      let c30 = b0, c31 = b1, c32 = b2, c33 = b3;
      for (let a = ab, b = bb, end = ab + kb; a < end; a += 4, b += 4) {
        const a0 = ap[a];
        const a1 = ap[a + 1];
        const a2 = ap[a + 2];
        const a3 = ap[a + 3];
        let bv = bp[b];
        c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv; c30 += a3 * bv;
        bv = bp[b + 1];
        c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv; c31 += a3 * bv;
        bv = bp[b + 2];
        c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv; c32 += a3 * bv;
        bv = bp[b + 3];
        c03 += a0 * bv; c13 += a1 * bv; c23 += a2 * bv; c33 += a3 * bv;
      }
      if (relu) {
        // Fused ReLU (x < 0 ? 0 : x keeps NaN, as the reference's relu does): saves a pass over the output.
        c00 = c00 < 0 ? 0 : c00; c01 = c01 < 0 ? 0 : c01; c02 = c02 < 0 ? 0 : c02; c03 = c03 < 0 ? 0 : c03;
        c10 = c10 < 0 ? 0 : c10; c11 = c11 < 0 ? 0 : c11; c12 = c12 < 0 ? 0 : c12; c13 = c13 < 0 ? 0 : c13;
        c20 = c20 < 0 ? 0 : c20; c21 = c21 < 0 ? 0 : c21; c22 = c22 < 0 ? 0 : c22; c23 = c23 < 0 ? 0 : c23;
        c30 = c30 < 0 ? 0 : c30; c31 = c31 < 0 ? 0 : c31; c32 = c32 < 0 ? 0 : c32; c33 = c33 < 0 ? 0 : c33;
      }
      let o = cOff + i0 * ldc + j0;
      if (fullRows && j0 + 4 <= n) {
        c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
        o += ldc;
        c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
        o += ldc;
        c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
        o += ldc;
        c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
      } else {
        const e = EDGE;
        e[0] = c00; e[1] = c01; e[2] = c02; e[3] = c03;
        e[4] = c10; e[5] = c11; e[6] = c12; e[7] = c13;
        e[8] = c20; e[9] = c21; e[10] = c22; e[11] = c23;
        e[12] = c30; e[13] = c31; e[14] = c32; e[15] = c33;
        storeEdge(c, o, ldc, rows - i0, n - j0);
      }
    }
  }
}

/**
 * out[outOff + j] = init[j] + sum_k v[vOff + k] * B[k][j] for j < panels * 8, B packed by packPanels with
 * nr = 8, init padded likewise. Float64 output (callers round once when they store).
 */
export function gemv8(v: Float32Array, vOff: number, k: number, bp: Float32Array, panels: number, init: Float32Array, out: Float64Array, outOff = 0): void {
  for (let p = 0, bb = 0; p < panels; p++, bb += k * 8) {
    const i0 = p * 8;
    const j = outOff + i0;
    let c0 = init[i0], c1 = init[i0 + 1], c2 = init[i0 + 2], c3 = init[i0 + 3];
    let c4 = init[i0 + 4], c5 = init[i0 + 5], c6 = init[i0 + 6], c7 = init[i0 + 7];
    for (let i = vOff, b = bb, end = vOff + k; i < end; i++, b += 8) {
      const x = v[i];
      c0 += x * bp[b]; c1 += x * bp[b + 1]; c2 += x * bp[b + 2]; c3 += x * bp[b + 3];
      c4 += x * bp[b + 4]; c5 += x * bp[b + 5]; c6 += x * bp[b + 6]; c7 += x * bp[b + 7];
    }
    out[j] = c0; out[j + 1] = c1; out[j + 2] = c2; out[j + 3] = c3;
    out[j + 4] = c4; out[j + 5] = c5; out[j + 6] = c6; out[j + 7] = c7;
  }
}

/** gemv8's 4-column form, for one panel at bp[bpOff] (a narrow tail: 10 outputs = one 8-panel + one 4-panel). */
export function gemv4(v: Float32Array, vOff: number, k: number, bp: Float32Array, bpOff: number, init: Float32Array, initOff: number, out: Float64Array, outOff: number): void {
  let c0 = init[initOff], c1 = init[initOff + 1], c2 = init[initOff + 2], c3 = init[initOff + 3];
  for (let i = vOff, b = bpOff, end = vOff + k; i < end; i++, b += 4) {
    const x = v[i];
    c0 += x * bp[b]; c1 += x * bp[b + 1]; c2 += x * bp[b + 2]; c3 += x * bp[b + 3];
  }
  out[outOff] = c0; out[outOff + 1] = c1; out[outOff + 2] = c2; out[outOff + 3] = c3;
}

/** gemv8 over a float64 vector (GRU's r * h, which the reference keeps unrounded), starting from zero, into out[outOff...]. */
export function gemv8F64(v: Float64Array, vOff: number, k: number, bp: Float32Array, panels: number, out: Float64Array, outOff: number): void {
  for (let p = 0, bb = 0; p < panels; p++, bb += k * 8) {
    const j = outOff + p * 8;
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
    for (let i = vOff, b = bb, end = vOff + k; i < end; i++, b += 8) {
      const x = v[i];
      c0 += x * bp[b]; c1 += x * bp[b + 1]; c2 += x * bp[b + 2]; c3 += x * bp[b + 3];
      c4 += x * bp[b + 4]; c5 += x * bp[b + 5]; c6 += x * bp[b + 6]; c7 += x * bp[b + 7];
    }
    out[j] = c0; out[j + 1] = c1; out[j + 2] = c2; out[j + 3] = c3;
    out[j + 4] = c4; out[j + 5] = c5; out[j + 6] = c6; out[j + 7] = c7;
  }
}

/**
 * C[rows4][n4] = A · B, all float64; A in 4-row interleaved blocks [rows4 / 4][k][4], B in 4-column panels
 * [n4 / 4][k][4], C row-major with row stride ldc. Rows and columns are padded to 4 by the caller.
 */
export function gemm4x4F64(ap: Float64Array, aOff: number, rows4: number, k: number, bp: Float64Array, bOff: number, n4: number, c: Float64Array, cOff: number, ldc: number): void {
  const kb = k * 4;
  for (let i0 = 0, ab = aOff; i0 < rows4; i0 += 4, ab += kb) {
    for (let j0 = 0, bb = bOff; j0 < n4; j0 += 4, bb += kb) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let a = ab, b = bb, end = ab + kb; a < end; a += 4, b += 4) {
        const a0 = ap[a];
        const a1 = ap[a + 1];
        const a2 = ap[a + 2];
        const a3 = ap[a + 3];
        let bv = bp[b];
        c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv; c30 += a3 * bv;
        bv = bp[b + 1];
        c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv; c31 += a3 * bv;
        bv = bp[b + 2];
        c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv; c32 += a3 * bv;
        bv = bp[b + 3];
        c03 += a0 * bv; c13 += a1 * bv; c23 += a2 * bv; c33 += a3 * bv;
      }
      let o = cOff + i0 * ldc + j0;
      c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
      o += ldc;
      c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
      o += ldc;
      c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
      o += ldc;
      c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    }
  }
}

/** Packs columns [col0, col0 + n) of a row-major float32 B [k][ldb] into float64 4-column panels (zero-padded). */
export function packPanelsF64(src: Float32Array, k: number, ldb: number, col0: number, n: number, dst: Float64Array): void {
  const panels = (n + 3) >> 2;
  for (let p = 0; p < panels; p++) {
    const w = Math.min(4, n - p * 4);
    for (let r = 0, d = p * k * 4; r < k; r++, d += 4) {
      const s = r * ldb + col0 + p * 4;
      let j = 0;
      for (; j < w; j++) dst[d + j] = src[s + j];
      for (; j < 4; j++) dst[d + j] = 0;
    }
  }
}

/** Writes k floats of src (from off) as row `row` of a 4-row interleaved float64 A (see gemm4x4F64). */
export function packRowF64(src: Float32Array, off: number, k: number, dst: Float64Array, dstOff: number, row: number): void {
  for (let i = 0, d = dstOff + (row >> 2) * k * 4 + (row & 3); i < k; i++, d += 4) dst[d] = src[off + i];
}

/** packRowF64 from a float64 source. */
export function packRowF64F64(src: Float64Array, off: number, k: number, dst: Float64Array, dstOff: number, row: number): void {
  for (let i = 0, d = dstOff + (row >> 2) * k * 4 + (row & 3); i < k; i++, d += 4) dst[d] = src[off + i];
}
