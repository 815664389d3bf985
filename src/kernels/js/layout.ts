// Fast JS data-movement kernels: transpose, pad, slice, concat, tile, upsample2d (nearest and bilinear) and
// embedding. All but bilinear and embedding are one primitive, a strided copy planned at bind time: output
// positions as an odometer over dims with a source stride and a destination stride per dim (0 = repeat), size-1
// dims dropped and contiguous neighbours merged, so each run is a few long inner loops and allocates nothing.
// E.g. nearest upsampling by (sh, sw) is the copy over dims [N, H, sh, W, sw, C] with source strides
// [HWC, WC, 0, C, 0, 1]; tile splits each axis into (repeat, dim) the same way.

import { stridesOf } from '../../core/tensor.js';
import type { ConcatAttrs } from '../../ops/concat.js';
import type { PadAttrs } from '../../ops/pad.js';
import type { SliceAttrs } from '../../ops/slice.js';
import type { TileAttrs } from '../../ops/tile.js';
import type { TransposeAttrs } from '../../ops/transpose.js';
import type { Upsample2dAttrs } from '../../ops/upsample2d.js';
import type { JsKernel } from '../abi.js';
import { viewOf } from './views.js';

export interface CopyPlan {
  readonly dims: Int32Array;
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly outer: number;
  readonly idx: Int32Array;
}

/** Plans a strided copy over `dims` (outermost first) with per-dim source and destination strides. */
export function planCopy(dims: readonly number[], src: readonly number[], dst: readonly number[]): CopyPlan {
  const d: number[] = [];
  const s: number[] = [];
  const t: number[] = [];
  let empty = false;
  dims.forEach((n, i) => {
    if (n === 0) empty = true;
    if (n === 1) return;
    const l = d.length - 1;
    if (l >= 0 && s[l] === src[i] * n && t[l] === dst[i] * n) {
      d[l] *= n;
      s[l] = src[i];
      t[l] = dst[i];
    } else {
      d.push(n);
      s.push(src[i]);
      t.push(dst[i]);
    }
  });
  if (d.length === 0) {
    d.push(1);
    s.push(0);
    t.push(0);
  }
  const total = empty ? 0 : d.reduce((p, q) => p * q, 1);
  const inner = d[d.length - 1];
  return { dims: Int32Array.from(d), src: Int32Array.from(s), dst: Int32Array.from(t), outer: total === 0 ? 0 : total / inner, idx: new Int32Array(d.length) };
}

/** Runs a planned copy: y[yOff + sum(i * dst)] = x[xOff + sum(i * src)] over every index i. */
export function runCopy(p: CopyPlan, x: Float32Array, xOff: number, y: Float32Array, yOff: number): void {
  const { dims, src, dst, outer, idx } = p;
  const R = dims.length;
  const n = dims[R - 1];
  const si = src[R - 1];
  const ti = dst[R - 1];
  idx.fill(0);
  let xo = xOff;
  let yo = yOff;
  for (let o = 0; o < outer; o++) {
    if (si === 1 && ti === 1) {
      for (let i = 0; i < n; i++) y[yo + i] = x[xo + i];
    } else {
      for (let i = 0, a = xo, b = yo; i < n; i++, a += si, b += ti) y[b] = x[a];
    }
    for (let d = R - 2; d >= 0; d--) {
      xo += src[d];
      yo += dst[d];
      if (++idx[d] < dims[d]) break;
      xo -= src[d] * dims[d];
      yo -= dst[d] * dims[d];
      idx[d] = 0;
    }
  }
}

export const transposeJs: JsKernel = {
  name: 'js.transpose',
  supports: (step) => step.node.op === 'transpose',
  bind(step, arena) {
    const { perm } = step.node.attrs as TransposeAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const xs = stridesOf(step.inputs[0].shape);
    const out = step.outputs[0].shape;
    const p = planCopy(out, perm.map((q) => xs[q]), stridesOf(out));
    return () => runCopy(p, x, 0, y, 0);
  },
};

export const padJs: JsKernel = {
  name: 'js.pad',
  supports: (step) => step.node.op === 'pad',
  bind(step, arena) {
    const { pads, value } = step.node.attrs as PadAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const shape = step.inputs[0].shape;
    const ys = stridesOf(step.outputs[0].shape);
    const off = pads.reduce((n, [before], i) => n + before * ys[i], 0);
    const p = planCopy(shape, stridesOf(shape), ys);
    return () => {
      y.fill(value);
      runCopy(p, x, 0, y, off);
    };
  },
};

export const sliceJs: JsKernel = {
  name: 'js.slice',
  supports: (step) => step.node.op === 'slice',
  bind(step, arena) {
    const { begin } = step.node.attrs as SliceAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const xs = stridesOf(step.inputs[0].shape);
    const out = step.outputs[0].shape;
    const off = begin.reduce((n, b, i) => n + b * xs[i], 0);
    const p = planCopy(out, xs, stridesOf(out));
    return () => runCopy(p, x, off, y, 0);
  },
};

export const concatJs: JsKernel = {
  name: 'js.concat',
  supports: (step) => step.node.op === 'concat',
  bind(step, arena) {
    const out = step.outputs[0].shape;
    const rank = out.length;
    const axis = (step.node.attrs as ConcatAttrs).axis;
    const ax = axis < 0 ? axis + rank : axis;
    const y = viewOf(step.outputs[0], arena);
    const ys = stridesOf(out);
    let at = 0;
    const parts = step.inputs.map((s) => {
      const part = { x: viewOf(s, arena), p: planCopy(s.shape, stridesOf(s.shape), ys), off: at * ys[ax] };
      at += s.shape[ax];
      return part;
    });
    return () => {
      for (let i = 0; i < parts.length; i++) {
        const q = parts[i];
        runCopy(q.p, q.x, 0, y, q.off);
      }
    };
  },
};

export const tileJs: JsKernel = {
  name: 'js.tile',
  supports: (step) => step.node.op === 'tile',
  bind(step, arena) {
    const { reps } = step.node.attrs as TileAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const shape = step.inputs[0].shape;
    const xs = stridesOf(shape);
    const ys = stridesOf(step.outputs[0].shape);
    // Output index along axis i = r * d_i + j: dims (r, j) with source strides (0, xs_i).
    const p = planCopy(
      shape.flatMap((d, i) => [reps[i], d]),
      shape.flatMap((_, i) => [0, xs[i]]),
      shape.flatMap((d, i) => [d * ys[i], ys[i]]),
    );
    return () => runCopy(p, x, 0, y, 0);
  },
};

export const upsample2dJs: JsKernel = {
  name: 'js.upsample2d',
  supports: (step) => step.node.op === 'upsample2d',
  bind(step, arena) {
    const { scale, mode } = step.node.attrs as Upsample2dAttrs;
    const x = viewOf(step.inputs[0], arena);
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, C] = step.inputs[0].shape;
    const [, OH, OW] = step.outputs[0].shape;
    const [sh, sw] = scale;
    if (mode === 'nearest') {
      const p = planCopy([N, H, sh, W, sw, C], [H * W * C, W * C, 0, C, 0, 1], [OH * OW * C, sh * OW * C, OW * C, sw * C, C, 1]);
      return () => runCopy(p, x, 0, y, 0);
    }
    // Bilinear: the TF half-pixel taps of every output row and column, computed once.
    const taps = (o: number, s: number, size: number): [number, number, number] => {
      const src = (o + 0.5) / s - 0.5;
      const lowF = Math.floor(src);
      return [Math.max(lowF, 0), Math.min(Math.ceil(src), size - 1), src - lowF];
    };
    const y0 = new Int32Array(OH);
    const y1 = new Int32Array(OH);
    const fy = new Float64Array(OH);
    const x0 = new Int32Array(OW);
    const x1 = new Int32Array(OW);
    const fx = new Float64Array(OW);
    for (let o = 0; o < OH; o++) [y0[o], y1[o], fy[o]] = taps(o, sh, H);
    for (let o = 0; o < OW; o++) [x0[o], x1[o], fx[o]] = taps(o, sw, W);
    return () => {
      let yo = 0;
      for (let n = 0; n < N; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const r0 = (n * H + y0[oy]) * W;
          const r1 = (n * H + y1[oy]) * W;
          const wy = fy[oy];
          for (let ox = 0; ox < OW; ox++) {
            const wx = fx[ox];
            const a = (r0 + x0[ox]) * C;
            const b = (r0 + x1[ox]) * C;
            const c = (r1 + x0[ox]) * C;
            const d = (r1 + x1[ox]) * C;
            for (let k = 0; k < C; k++, yo++) {
              // TF's lerp, in its order: top + (bottom - top) * fy (an Inf neighbour gives NaN, as in TF).
              const tl = x[a + k];
              const bl = x[c + k];
              const top = tl + (x[b + k] - tl) * wx;
              const bottom = bl + (x[d + k] - bl) * wx;
              y[yo] = top + (bottom - top) * wy;
            }
          }
        }
      }
    };
  },
};

export const embeddingJs: JsKernel = {
  name: 'js.embedding',
  supports: (step) => step.node.op === 'embedding',
  bind(step, arena) {
    const ix = viewOf(step.inputs[0], arena);
    const table = viewOf(step.inputs[1], arena);
    const y = viewOf(step.outputs[0], arena);
    const [vocab, dim] = step.inputs[1].shape;
    const n = ix.length;
    return () => {
      for (let i = 0, yo = 0; i < n; i++, yo += dim) {
        const row = Math.trunc(ix[i]);
        if (row >= 0 && row < vocab) {
          const s = row * dim;
          for (let k = 0; k < dim; k++) y[yo + k] = table[s + k];
        } else {
          // Out of range, NaN or Inf: a row of zeros (the reference's documented choice).
          for (let k = 0; k < dim; k++) y[yo + k] = 0;
        }
      }
    };
  },
};
