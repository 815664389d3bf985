// Training kernels in plain JS: a blocked GEMM (4-row i-k-j loop, contiguous inner loop over N) and conv2d
// forward/backward through im2col + GEMM, processed a few images at a time so the column matrix stays small.
// This is the readable implementation the wasm kernels are tested against; it is also the fallback where
// WebAssembly SIMD is missing.

import { UsageError } from '../../core/errors.js';
import type { ConvGeometry, PoolGeometry, TrainKernels } from './types.js';

/** [rows, cols] -> [cols, rows]. */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array): Float32Array {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[base + c];
  }
  return dst;
}

/** C (+)= A[M, K] . B[K, N], all row-major. */
function gemmNN(M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate: boolean): void {
  if (!accumulate) C.fill(0, 0, M * N);
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const c0 = i * N;
    const c1 = c0 + N;
    const c2 = c1 + N;
    const c3 = c2 + N;
    for (let k = 0; k < K; k++) {
      const a0 = A[i * K + k];
      const a1 = A[(i + 1) * K + k];
      const a2 = A[(i + 2) * K + k];
      const a3 = A[(i + 3) * K + k];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const b = k * N;
      for (let j = 0; j < N; j++) {
        const bv = B[b + j];
        C[c0 + j] += a0 * bv;
        C[c1 + j] += a1 * bv;
        C[c2 + j] += a2 * bv;
        C[c3 + j] += a3 * bv;
      }
    }
  }
  for (; i < M; i++) {
    const c0 = i * N;
    for (let k = 0; k < K; k++) {
      const a0 = A[i * K + k];
      if (a0 === 0) continue;
      const b = k * N;
      for (let j = 0; j < N; j++) C[c0 + j] += a0 * B[b + j];
    }
  }
}

export function gemmJs(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate: boolean): void {
  const a = transA ? transposeInto(A, K, M, new Float32Array(M * K)) : A;
  const b = transB ? transposeInto(B, N, K, new Float32Array(K * N)) : B;
  gemmNN(M, N, K, a, b, C, accumulate);
}

function checkGroups(g: ConvGeometry): void {
  if (g.kh < 1 || g.kw < 1) throw new UsageError('conv2d kernels: empty kernel window');
}

/** Images per im2col chunk: keeps the column matrix around 512 KiB. */
export function convChunkImages(g: ConvGeometry): number {
  const rowsPerImage = Math.max(1, g.oh * g.ow);
  const kk = g.kh * g.kw * g.c;
  return Math.max(1, Math.floor(131072 / Math.max(1, kk) / rowsPerImage));
}

/** cols[(img, oy, ox), (ky, kx, ci)] for images [n0, n0 + count). Padding cells are zeros. */
export function im2col(g: ConvGeometry, x: Float32Array, n0: number, count: number, cols: Float32Array): void {
  const { h, w, c, kh, kw, oh, ow } = g;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, , pl] = g.pads;
  const kk = kh * kw * c;
  let row = 0;
  for (let n = n0; n < n0 + count; n++) {
    const xn = n * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row++) {
        let at = row * kk;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              cols.fill(0, at, at + c);
            } else {
              const src = xn + (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) cols[at + ci] = x[src + ci];
            }
            at += c;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[...] += dcols[...] over images [n0, n0 + count). */
export function col2im(g: ConvGeometry, dcols: Float32Array, n0: number, count: number, dx: Float32Array): void {
  const { h, w, c, kh, kw, oh, ow } = g;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, , pl] = g.pads;
  const kk = kh * kw * c;
  let row = 0;
  for (let n = n0; n < n0 + count; n++) {
    const xn = n * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row++) {
        let at = row * kk;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              const dst = xn + (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) dx[dst + ci] += dcols[at + ci];
            }
            at += c;
          }
        }
      }
    }
  }
}

export const jsKernels: TrainKernels = {
  name: 'js',
  gemm: gemmJs,
  conv2dForward(g, x, w, bias, y, relu) {
    checkGroups(g);
    const kk = g.kh * g.kw * g.c;
    const per = g.oh * g.ow;
    const chunk = convChunkImages(g);
    const cols = new Float32Array(chunk * per * kk);
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const count = Math.min(chunk, g.n - n0);
      const rows = count * per;
      im2col(g, x, n0, count, cols);
      gemmNN(rows, g.co, kk, cols, w, y.subarray(n0 * per * g.co, (n0 + count) * per * g.co), false);
    }
    if (bias) {
      const total = g.n * per;
      for (let r = 0; r < total; r++) for (let o = 0; o < g.co; o++) y[r * g.co + o] += bias[o];
    }
    if (relu) {
      const n = g.n * per * g.co;
      for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0;
    }
  },
  conv2dBackward(g, x, w, dy, dx, dw, db, reluOutput) {
    checkGroups(g);
    if (reluOutput) for (let i = 0; i < dy.length; i++) if (!(reluOutput[i] > 0)) dy[i] = 0;
    const kk = g.kh * g.kw * g.c;
    const per = g.oh * g.ow;
    const chunk = convChunkImages(g);
    const cols = new Float32Array(chunk * per * kk);
    const dcols = dx ? new Float32Array(chunk * per * kk) : undefined;
    const wT = dx ? transposeInto(w, kk, g.co, new Float32Array(kk * g.co)) : undefined;
    if (dx) dx.fill(0);
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const count = Math.min(chunk, g.n - n0);
      const rows = count * per;
      const dyc = dy.subarray(n0 * per * g.co, (n0 + count) * per * g.co);
      im2col(g, x, n0, count, cols);
      // dw += cols^T . dy
      gemmJs(true, false, kk, g.co, rows, cols, dyc, dw, n0 > 0);
      if (dx && dcols && wT) {
        // dcols = dy . w^T, then scattered back onto the input.
        gemmNN(rows, kk, g.co, dyc, wT, dcols, false);
        col2im(g, dcols, n0, count, dx);
      }
    }
    if (g.n === 0) dw.fill(0);
    if (db) {
      db.fill(0);
      const total = g.n * per;
      for (let r = 0; r < total; r++) for (let o = 0; o < g.co; o++) db[o] += dy[r * g.co + o];
    }
  },
  maxPool2dForward: maxPool2dForwardJs,
  maxPool2dBackward(dy, argmax, dx) {
    dx.fill(0);
    for (let i = 0; i < dy.length; i++) {
      const a = argmax[i];
      if (a >= 0) dx[a] += dy[i];
    }
  },
};

/**
 * Max pooling over NHWC windows (padding never wins); ties go to the first cell in row-major window order.
 * NaN never wins (`v > max` from -Inf), as inference's max pooling (src/ops/pool2d.ts) and TensorFlow's forward
 * MaxPool: the max is over the window's non-NaN values and the gradient goes to that maximum. A window with no
 * cell above -Inf (NaN and -Inf only) gives -Inf (as inference) and argmax -1: no input gets its gradient, as in
 * TF.js's MaxPoolGrad (its maxPoolPositions keeps position -1 there, which matches no cell). TensorFlow's CPU
 * MaxPoolGrad differs there (it sends that gradient to the window's first cell) and where a NaN comes first in
 * a window with values (to the NaN): docs/robustness.md, Numerics.
 */
export function maxPool2dForwardJs(g: PoolGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const { n: N, h: H, w: W, c: C, kh: KH, kw: KW, oh: OH, ow: OW } = g;
  const [sh, sw] = g.strides;
  const [pt, , pl] = g.pads;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - pt);
      const y1 = Math.min(H, oy * sh - pt + KH);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - pl);
        const x1 = Math.min(W, ox * sw - pl + KW);
        const o = ((n * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          y[o + c] = -Infinity;
          argmax[o + c] = -1;
        }
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const p = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[p + c];
              if (v > y[o + c]) {
                y[o + c] = v;
                argmax[o + c] = p + c;
              }
            }
          }
        }
      }
    }
  }
}
