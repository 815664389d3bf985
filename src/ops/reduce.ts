// reduce: mean/sum/max/min/prod over axes (Keras GlobalAverage/MaxPooling1D/2D, GraphDef Mean, ONNX Reduce*).
// TF semantics: max/min propagate NaN; an empty reduction gives sum 0, prod 1, mean NaN (0/0), max -Inf,
// min +Inf; `axes` empty means no reduction (the identity); a repeated axis is an error, as in TF.

import { ShapeError } from '../core/errors.js';
import { sizeOf, stridesOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface ReduceAttrs {
  readonly type: 'mean' | 'sum' | 'max' | 'min' | 'prod';
  /** Axes, may be negative; never 0 (the batch) in imported Keras models, but allowed. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** Normalises axes against a rank, rejecting out-of-range and repeated ones; returns them sorted. */
export function normAxes(axes: readonly number[], rank: number, op: string): number[] {
  const out = axes.map((ax) => {
    const a = ax < 0 ? ax + rank : ax;
    if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeError(`${op}: axis ${ax} out of range for rank ${rank}`, { op });
    return a;
  });
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: repeated axis in [${axes.join(', ')}]`, { op });
  return out.sort((p, q) => p - q);
}

function reducedShape(x: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  x.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

export const reduce = defineOp<ReduceAttrs>({
  name: 'reduce',
  arity: [1, 1],
  inferShape([x], { axes, keepDims }) {
    return [reducedShape(x, normAxes(axes, x.length, 'reduce'), keepDims)];
  },
  reference([x], { type, axes, keepDims }) {
    const rank = x.shape.length;
    const ax = normAxes(axes, rank, 'reduce');
    // Output with every axis kept (reduced ones at 1); keepDims only changes the reported shape.
    const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
    const keptStrides = stridesOf(kept);
    const count = sizeOf(ax.map((a) => x.shape[a]));
    const init = type === 'max' ? -Infinity : type === 'min' ? Infinity : type === 'prod' ? 1 : 0;
    const acc = new Float64Array(sizeOf(kept)).fill(init);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < x.data.length; i++) {
      let o = 0;
      for (let d = 0; d < rank; d++) if (!ax.includes(d)) o += idx[d] * keptStrides[d];
      const v = x.data[i];
      switch (type) {
        case 'mean':
        case 'sum':
          acc[o] += v;
          break;
        case 'prod':
          acc[o] *= v;
          break;
        case 'max':
          acc[o] = Math.max(acc[o], v); // NaN-propagating
          break;
        case 'min':
          acc[o] = Math.min(acc[o], v);
          break;
      }
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
    const out = tensor(reducedShape(x.shape, ax, keepDims));
    for (let o = 0; o < acc.length; o++) out.data[o] = type === 'mean' ? acc[o] / count : acc[o];
    return [out];
  },
  cost([x]) {
    return sizeOf(x);
  },
});
