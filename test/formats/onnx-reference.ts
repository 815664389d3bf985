// A naive NCHW reference for the ONNX op tests: written from the ONNX operator docs, independent of the
// importer's NHWC translation, so layout bookkeeping mistakes show up as wrong numbers.

export interface T {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function t(shape: readonly number[], data: ArrayLike<number>): T {
  return { shape: [...shape], data: Float64Array.from(data) };
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function map(x: T, f: (v: number) => number): T {
  return t(x.shape, Array.from(x.data, f));
}

/** NumPy broadcasting. */
export function binary(a: T, b: T, f: (x: number, y: number) => number): T {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(r - b.shape.length).fill(1), ...b.shape];
  const out = pa.map((d, i) => Math.max(d, pb[i]));
  const res = new Float64Array(size(out));
  const idx = new Array(r).fill(0);
  const off = (p: number[], i: number[]) => p.reduce((acc, d, k) => acc * d + (d === 1 ? 0 : i[k]), 0);
  for (let n = 0; n < res.length; n++) {
    res[n] = f(a.data[off(pa, idx)], b.data[off(pb, idx)]);
    for (let k = r - 1; k >= 0; k--) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return t(out, res);
}

export function transpose(x: T, perm: readonly number[]): T {
  const out = perm.map((p) => x.shape[p]);
  const strides = x.shape.map((_, i) => size(x.shape.slice(i + 1)));
  const res = new Float64Array(x.data.length);
  const idx = new Array(out.length).fill(0);
  for (let n = 0; n < res.length; n++) {
    res[n] = x.data[perm.reduce((acc, p, k) => acc + idx[k] * strides[p], 0)];
    for (let k = out.length - 1; k >= 0; k--) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return t(out, res);
}

export function reshape(x: T, shape: readonly number[]): T {
  return t(shape, x.data);
}

/** ONNX Conv, NCHW, W [M, C/g, kh, kw], pads [t, l, b, r]. */
export function conv(x: T, w: T, b: T | undefined, o: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number }): T {
  const [N, C, H, W] = x.shape;
  const [M, CG, KH, KW] = w.shape;
  const [sh, sw] = o.strides ?? [1, 1];
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const [dh, dw] = o.dilations ?? [1, 1];
  const g = o.group ?? 1;
  const OH = Math.floor((H + pt + pb - ((KH - 1) * dh + 1)) / sh) + 1;
  const OW = Math.floor((W + pl + pr - ((KW - 1) * dw + 1)) / sw) + 1;
  const out = new Float64Array(N * M * OH * OW);
  const mPerG = M / g;
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = b ? b.data[m] : 0;
          const grp = Math.floor(m / mPerG);
          for (let c = 0; c < CG; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const iy = oy * sh - pt + ky * dh;
                const ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += x.data[((n * C + grp * CG + c) * H + iy) * W + ix] * w.data[((m * CG + c) * KH + ky) * KW + kx];
              }
          out[((n * M + m) * OH + oy) * OW + ox] = acc;
        }
  return t([N, M, OH, OW], out);
}

/** ONNX MaxPool / AveragePool, NCHW, pads [t, l, b, r], with ceil_mode and count_include_pad. */
export function pool(x: T, type: 'max' | 'avg', o: { kernel: number[]; strides?: number[]; pads?: number[]; ceil?: boolean; countIncludePad?: boolean }): T {
  const [N, C, H, W] = x.shape;
  const [KH, KW] = o.kernel;
  const [sh, sw] = o.strides ?? [1, 1];
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  const outSize = (i: number, k: number, s: number, a: number, e: number) => {
    const r = (i + a + e - k) / s;
    let n = (o.ceil ? Math.ceil(r) : Math.floor(r)) + 1;
    if (o.ceil && (n - 1) * s >= i + a) n--;
    return n;
  };
  const OH = outSize(H, KH, sh, pt, pb);
  const OW = outSize(W, KW, sw, pl, pr);
  const out = new Float64Array(N * C * OH * OW);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = type === 'max' ? -Infinity : 0;
          let count = 0;
          for (let ky = 0; ky < KH; ky++)
            for (let kx = 0; kx < KW; kx++) {
              const iy = oy * sh - pt + ky;
              const ix = ox * sw - pl + kx;
              const inPadded = iy < H + pb && ix < W + pr;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                if (o.countIncludePad && iy >= -pt && ix >= -pl && inPadded) count++;
                continue;
              }
              const v = x.data[((n * C + c) * H + iy) * W + ix];
              if (type === 'max') acc = Math.max(acc, v);
              else acc += v;
              count++;
            }
          out[((n * C + c) * OH + oy) * OW + ox] = type === 'max' ? acc : acc / count;
        }
  return t([N, C, OH, OW], out);
}

/** Softmax over the last axis of a 2-D view [rows, cols]. */
export function softmaxRows(x: T, cols: number): T {
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / cols; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x.data[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x.data[r * cols + c] - m);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp(x.data[r * cols + c] - m) / s;
  }
  return t(x.shape, out);
}

/** Constant padding, pads [x1_begin, x2_begin, ..., x1_end, x2_end]. */
export function pad(x: T, pads: readonly number[], value = 0): T {
  const r = x.shape.length;
  const out = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
  const res = new Float64Array(size(out)).fill(value);
  const idx = new Array(r).fill(0);
  for (let n = 0; n < x.data.length; n++) {
    const o = idx.reduce((acc, v, k) => acc * out[k] + v + pads[k], 0);
    res[o] = x.data[n];
    for (let k = r - 1; k >= 0; k--) {
      if (++idx[k] < x.shape[k]) break;
      idx[k] = 0;
    }
  }
  return t(out, res);
}

/** Nearest upsampling by whole factors over H, W of NCHW. */
export function upsample(x: T, sh: number, sw: number): T {
  const [N, C, H, W] = x.shape;
  const out = new Float64Array(N * C * H * sh * W * sw);
  for (let n = 0; n < N * C; n++)
    for (let y = 0; y < H * sh; y++) for (let z = 0; z < W * sw; z++) out[(n * H * sh + y) * W * sw + z] = x.data[(n * H + Math.floor(y / sh)) * W + Math.floor(z / sw)];
  return t([N, C, H * sh, W * sw], out);
}

/** Slice along one axis [start, end). */
export function sliceAxis(x: T, axis: number, start: number, end: number): T {
  const outer = size(x.shape.slice(0, axis));
  const inner = size(x.shape.slice(axis + 1));
  const d = x.shape[axis];
  const res: number[] = [];
  for (let o = 0; o < outer; o++) for (let i = start; i < end; i++) for (let k = 0; k < inner; k++) res.push(x.data[(o * d + i) * inner + k]);
  const shape = [...x.shape];
  shape[axis] = end - start;
  return t(shape, res);
}

export function concat(a: T, b: T, axis: number): T {
  const outer = size(a.shape.slice(0, axis));
  const ia = size(a.shape.slice(axis));
  const ib = size(b.shape.slice(axis));
  const res: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < ia; k++) res.push(a.data[o * ia + k]);
    for (let k = 0; k < ib; k++) res.push(b.data[o * ib + k]);
  }
  const shape = [...a.shape];
  shape[axis] += b.shape[axis];
  return t(shape, res);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deterministic values in [-1, 1). */
export function rand(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}
