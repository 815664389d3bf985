// Winograd convolution for the JS back end: F(2x2, 3x3) and F(2x2, 5x5) (Lavin & Gray 2015), for stride-1,
// undilated, ungrouped convs with enough channels. Per chunk of 2x2 output tiles: input transform V = B^T d B
// (channels innermost, contiguous in NHWC), t*t GEMMs M_e = V_e U_e against kernels transformed once at bind time
// (U = G g G^T), output transform Y = A^T M A, then bias. 2.25x (3x3) and 2.8x (5x5) fewer multiplies than the
// direct sum. Everything is float64 (transforms, packed U, GEMM), so the transforms' extra rounding stays ~1e-16
// relative, far below float32's: results match the reference within the conformance tolerance of the direct path.
// The tiles mix neighbouring inputs, so a NaN/Inf input would reach outputs that never read it: the caller checks
// the input each run and takes the exact im2col path when it holds a non-finite value (and for non-finite weights).
// Transform matrices: src/kernels/wasm/winograd.ts (plain data, shared with the wasm kernels).

import { WINOGRAD, type WinogradMatrices } from '../wasm/winograd.js';
import { cachedPackF64, gemm4x4F64 } from './gemm.js';

/** Whether the JS Winograd path applies (shape-wise). */
export function winogradJsApplies(kh: number, kw: number, strides: readonly number[], dilations: readonly number[], groups: number, cin: number, cout: number): boolean {
  return (
    kh === kw && (kh === 3 || kh === 5) && strides[0] === 1 && strides[1] === 1 && dilations[0] === 1 && dilations[1] === 1 && groups === 1 &&
    // The transforms cost ~t^2 (cin + cout) per tile against t^2 cin cout multiply-adds: few channels do not pay.
    cin >= 8 && cout >= 8
  );
}

// The 1-D transforms along one axis of a tile, for every channel at once (channels innermost). Arguments: source
// and destination arrays, offset of element 0 of the axis, stride between axis elements, stride between
// channels; then the channel count. Hand-written from the matrices (the generic sparse loop was 3x slower).

/** F(2, 3) input transform, B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, -1, 0, 1]]. */
function bt4(s: Float64Array, so: number, ss: number, sc: number, d: Float64Array, o: number, ds: number, dc: number, n: number): void {
  for (let c = 0; c < n; c++, so += sc, o += dc) {
    const x0 = s[so];
    const x1 = s[so + ss];
    const x2 = s[so + 2 * ss];
    const x3 = s[so + 3 * ss];
    d[o] = x0 - x2;
    d[o + ds] = x1 + x2;
    d[o + 2 * ds] = x2 - x1;
    d[o + 3 * ds] = x3 - x1;
  }
}

/** F(2, 5) input transform (rows of WINOGRAD[5].BT). */
function bt6(s: Float64Array, so: number, ss: number, sc: number, d: Float64Array, o: number, ds: number, dc: number, n: number): void {
  for (let c = 0; c < n; c++, so += sc, o += dc) {
    const x0 = s[so];
    const x1 = s[so + ss];
    const x2 = s[so + 2 * ss];
    const x3 = s[so + 3 * ss];
    const x4 = s[so + 4 * ss];
    const x5 = s[so + 5 * ss];
    d[o] = 4 * x0 - 5 * x2 + x4;
    d[o + ds] = -4 * x1 - 4 * x2 + x3 + x4;
    d[o + 2 * ds] = 4 * x1 - 4 * x2 - x3 + x4;
    d[o + 3 * ds] = -2 * x1 - x2 + 2 * x3 + x4;
    d[o + 4 * ds] = 2 * x1 - x2 - 2 * x3 + x4;
    d[o + 5 * ds] = 4 * x1 - 5 * x3 + x5;
  }
}

/** F(2, 3) output transform, A^T = [[1, 1, 1, 0], [0, 1, -1, 1]]. */
function at4(s: Float64Array, so: number, ss: number, sc: number, d: Float64Array, o: number, ds: number, dc: number, n: number): void {
  for (let c = 0; c < n; c++, so += sc, o += dc) {
    const m1 = s[so + ss];
    const m2 = s[so + 2 * ss];
    d[o] = s[so] + m1 + m2;
    d[o + ds] = m1 - m2 + s[so + 3 * ss];
  }
}

/** F(2, 5) output transform, A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 1]]. */
function at6(s: Float64Array, so: number, ss: number, sc: number, d: Float64Array, o: number, ds: number, dc: number, n: number): void {
  for (let c = 0; c < n; c++, so += sc, o += dc) {
    const m1 = s[so + ss];
    const m2 = s[so + 2 * ss];
    const m3 = s[so + 3 * ss];
    const m4 = s[so + 4 * ss];
    d[o] = s[so] + m1 + m2 + m3 + m4;
    d[o + ds] = m1 - m2 + 2 * (m3 - m4) + s[so + 5 * ss];
  }
}

/**
 * U = G g G^T of an HWIO kernel [r, r, cin, cout], in float64, packed into u per position e as 4-column GEMM
 * panels (t * t * cin * cout4 floats).
 */
function transformKernel(w: Float32Array, mats: WinogradMatrices, r: number, cin: number, cout: number, cout4: number, u: Float64Array): void {
  const { t, G } = mats;
  const per = cin * cout4; // one position's packed [cin][cout4] panels
  const gt = new Float64Array(t * r);
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      for (let i = 0; i < t; i++) {
        for (let b = 0; b < r; b++) {
          let s = 0;
          for (let a = 0; a < r; a++) s += G[i][a] * w[((a * r + b) * cin + ci) * cout + co];
          gt[i * r + b] = s;
        }
      }
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) {
          let s = 0;
          for (let b = 0; b < r; b++) s += gt[i * r + b] * G[j][b];
          // Panel layout: [co / 4][ci][co % 4] within position e = i * t + j.
          u[(i * t + j) * per + ((co >> 2) * cin + ci) * 4 + (co & 3)] = s;
        }
      }
    }
  }
}

export interface WinogradConv {
  /** Runs the conv (pre-activation, bias included) from x into y. */
  run(x: Float32Array, y: Float32Array): void;
}

/** Binds a Winograd conv for x [N, H, W, C] -> y [N, OH, OW, CO] with a constant kernel (r = 3 or 5). */
export function bindWinograd(
  w: Float32Array,
  bias: Float32Array | undefined,
  N: number, H: number, W: number, C: number,
  OH: number, OW: number, CO: number,
  r: 3 | 5,
  pt: number, pl: number,
): WinogradConv {
  const mats = WINOGRAD[r];
  const t = mats.t;
  const tt = t * t;
  const m = 2;
  const CO4 = (CO + 3) & ~3;
  // Shared by every plan (batch size) bound to the same weights, like the other packed kernels.
  const U = cachedPackF64(w, `winograd${r}:${C}x${CO}`, tt * C * CO4, (u) => transformKernel(w, mats, r, C, CO, CO4, u));
  const bt = t === 4 ? bt4 : bt6;
  const at = t === 4 ? at4 : at6;
  const TH = Math.ceil(OH / m);
  const TW = Math.ceil(OW / m);
  const tilesPerImage = TH * TW;
  const tiles = N * tilesPerImage;
  // Tiles per chunk (a multiple of 4): V and M of a chunk stay within ~256 KB each.
  const TC = Math.max(4, Math.min(64, (Math.floor(32768 / (tt * Math.max(C, CO4))) >> 2) << 2));
  const V = new Float64Array(tt * TC * C); // per position e: [TC / 4][C][4]
  const M = new Float64Array(tt * TC * CO4); // per position e: [TC][CO4]
  const d = new Float64Array(tt * C); // one input tile, [t][t][C]
  const tmp = new Float64Array(tt * Math.max(C, CO4)); // after the first 1-D transform
  const yt = new Float64Array(m * m * CO4); // one output tile, [m][m][CO4]
  const ETC = TC * C; // V stride between positions
  const EM = TC * CO4; // M stride between positions
  return {
    run(x, y) {
      for (let t0 = 0; t0 < tiles; t0 += TC) {
        const nt = Math.min(TC, tiles - t0);
        const nt4 = (nt + 3) & ~3;
        // Input transform of every tile of the chunk, written as GEMM rows (tile q, channel c) of V_e.
        for (let q = 0; q < nt4; q++) {
          const vBase = (q >> 2) * C * 4 + (q & 3);
          if (q >= nt) {
            for (let e = 0; e < tt; e++) for (let c = 0, o = e * ETC + vBase; c < C; c++, o += 4) V[o] = 0;
            continue;
          }
          const tile = t0 + q;
          const n = (tile / tilesPerImage) | 0;
          const rem = tile - n * tilesPerImage;
          const th = (rem / TW) | 0;
          const ih0 = th * m - pt;
          const iw0 = (rem - th * TW) * m - pl;
          // d[a][b][c]: the t x t input window, zeros outside the image.
          for (let a = 0; a < t; a++) {
            const ih = ih0 + a;
            for (let b = 0; b < t; b++) {
              const iw = iw0 + b;
              const o = (a * t + b) * C;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                for (let c = 0; c < C; c++) d[o + c] = 0;
              } else {
                const s = ((n * H + ih) * W + iw) * C;
                for (let c = 0; c < C; c++) d[o + c] = x[s + c];
              }
            }
          }
          // Columns: tmp[i][b] = sum_a BT[i][a] d[a][b]; rows: V[i][j] = sum_b tmp[i][b] BT[j][b].
          for (let b = 0; b < t; b++) bt(d, b * C, t * C, 1, tmp, b * C, t * C, 1, C);
          for (let i = 0; i < t; i++) bt(tmp, i * t * C, C, 1, V, i * t * ETC + vBase, ETC, 4, C);
        }
        // One GEMM per position e.
        for (let e = 0; e < tt; e++) gemm4x4F64(V, e * ETC, nt4, C, U, e * C * CO4, CO4, M, e * EM, CO4);
        // Output transform Y = A^T M A per tile, plus bias, into the tile's in-range outputs.
        for (let q = 0; q < nt; q++) {
          const tile = t0 + q;
          const n = (tile / tilesPerImage) | 0;
          const rem = tile - n * tilesPerImage;
          const th = (rem / TW) | 0;
          const oh0 = th * m;
          const ow0 = (rem - th * TW) * m;
          // Columns: tmp[p][j] = sum_i AT[p][i] M[i][j]; rows: Y[p][s] = sum_j tmp[p][j] AT[s][j].
          for (let j = 0; j < t; j++) at(M, (j * TC + q) * CO4, t * EM, 1, tmp, j * CO4, t * CO4, 1, CO);
          for (let p = 0; p < m; p++) at(tmp, p * t * CO4, CO4, 1, yt, p * m * CO4, CO4, 1, CO);
          for (let p = 0; p < m; p++) {
            const oh = oh0 + p;
            if (oh >= OH) break;
            for (let s2 = 0; s2 < m; s2++) {
              const ow = ow0 + s2;
              if (ow >= OW) break;
              const yo = ((n * OH + oh) * OW + ow) * CO;
              const to = (p * m + s2) * CO4;
              if (bias) for (let c = 0; c < CO; c++) y[yo + c] = bias[c] + yt[to + c];
              else for (let c = 0; c < CO; c++) y[yo + c] = yt[to + c];
            }
          }
        }
      }
    },
  };
}
