// dot: Keras Dot layer (batch_dot): contracts axis axes[0] of a with axes[1] of b, per batch row; with
// normalize, both are L2-normalised along those axes first (cosine proximity). Axes count the batch as 0.
// Output: [batch, a's other dims in order, b's other dims in order]; [batch, 1] when both are rank 2
// (keras/src/layers/merging/dot.py). normalize follows Keras 3's ops.normalize: x * min(rsqrt(sum x^2), 1e7)
// (epsilon = backend.epsilon() = 1e-7); tf.keras 2 used l2_normalize, i.e. min(rsqrt(sum), 1e6): the two only
// differ for vectors with norm below 1e-6.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, stridesOf, tensor, type Shape, type Tensor } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface DotAttrs {
  readonly axes: readonly [number, number];
  readonly normalize: boolean;
}

/** Keras 3 backend.epsilon(), the floor on the norm in ops.normalize. */
const NORM_EPSILON = 1e-7;

interface DotPlan {
  readonly a0: number;
  readonly a1: number;
  readonly shape: number[];
}

function planDot(a: Shape, b: Shape, axes: readonly [number, number]): DotPlan {
  const bad = (why: string): ShapeError =>
    new ShapeError(`dot: ${shapeToString(a)} . ${shapeToString(b)} with axes [${axes.join(', ')}]: ${why}`, { op: 'dot' });
  if (a.length < 2 || b.length < 2) throw bad('both inputs need rank >= 2');
  const a0 = axes[0] < 0 ? axes[0] + a.length : axes[0];
  const a1 = axes[1] < 0 ? axes[1] + b.length : axes[1];
  if (a0 < 0 || a0 >= a.length || a1 < 0 || a1 >= b.length) throw bad('axis out of range');
  if (a0 === 0 || a1 === 0) throw bad('cannot contract the batch axis 0');
  if (a[0] !== b[0] && a[0] >= 0 && b[0] >= 0) throw bad('batch sizes differ');
  if (a[a0] !== b[a1]) throw bad(`contracted dims differ (${a[a0]} vs ${b[a1]})`);
  const batch = a[0] >= 0 ? a[0] : b[0];
  const shape = [batch, ...a.filter((_, i) => i !== 0 && i !== a0), ...b.filter((_, i) => i !== 0 && i !== a1)];
  if (shape.length === 1) shape.push(1);
  return { a0, a1, shape };
}

/** Keras 3 ops.normalize(x, axis) with order 2: x * min(rsqrt(sum(x^2, axis)), 1 / epsilon). */
export function l2NormalizeKeras(x: Tensor, axis: number): Tensor {
  const outer = sizeOf(x.shape.slice(0, axis));
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const out = tensor(x.shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let ss = 0;
      for (let k = 0; k < n; k++) ss += x.data[base + k * inner] ** 2;
      const inv = Math.min(1 / Math.sqrt(ss), 1 / NORM_EPSILON); // Math.min keeps NaN
      for (let k = 0; k < n; k++) out.data[base + k * inner] = x.data[base + k * inner] * inv;
    }
  }
  return out;
}

export const dot = defineOp<DotAttrs>({
  name: 'dot',
  arity: [2, 2],
  inferShape([a, b], { axes }) {
    return [planDot(a, b, axes).shape];
  },
  reference([x, y], { axes, normalize }) {
    const { a0, a1, shape } = planDot(x.shape, y.shape, axes);
    const a = normalize ? l2NormalizeKeras(x, a0) : x;
    const b = normalize ? l2NormalizeKeras(y, a1) : y;
    const out = tensor(shape);
    const K = a.shape[a0];
    const sa = stridesOf(a.shape);
    const sb = stridesOf(b.shape);
    // Free (non-batch, non-contracted) axes of a then of b, in order: they index the output after the batch.
    const freeA = a.shape.map((_, i) => i).filter((i) => i !== 0 && i !== a0);
    const freeB = b.shape.map((_, i) => i).filter((i) => i !== 0 && i !== a1);
    const free = [...freeA.map((i) => ({ dim: a.shape[i], sa: sa[i], sb: 0 })), ...freeB.map((i) => ({ dim: b.shape[i], sa: 0, sb: sb[i] }))];
    const perRow = sizeOf(free.map((f) => f.dim));
    const idx = new Array<number>(free.length).fill(0);
    const batch = a.shape[0];
    for (let n = 0; n < batch; n++) {
      idx.fill(0);
      for (let r = 0; r < perRow; r++) {
        let oa = n * sa[0];
        let ob = n * sb[0];
        for (let f = 0; f < free.length; f++) {
          oa += idx[f] * free[f].sa;
          ob += idx[f] * free[f].sb;
        }
        let acc = 0;
        for (let k = 0; k < K; k++) acc += a.data[oa + k * sa[a0]] * b.data[ob + k * sb[a1]];
        out.data[n * perRow + r] = acc;
        for (let f = free.length - 1; f >= 0; f--) {
          if (++idx[f] < free[f].dim) break;
          idx[f] = 0;
        }
      }
    }
    return [out];
  },
  cost([a, b], { axes }) {
    const { a0, shape } = planDot(a, b, axes);
    return sizeOf(shape) * a[a0];
  },
});
