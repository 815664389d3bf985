// binary: element-wise a (op) b with NumPy broadcasting. Keras Add/Subtract/Multiply/Maximum/Minimum (chained for
// more than two inputs), Rescaling/Normalization arithmetic, GraphDef Add/Sub/Mul/RealDiv/Maximum/Minimum.
// Semantics are TensorFlow's float32 ones: IEEE division (x/0 = +-Inf, 0/0 = NaN), max/min propagate NaN
// (TF's Maximum/Minimum use Eigen::PropagateNaN), pow follows C/IEEE pow, which differs from JS Math.pow
// in two places: pow(1, y) = 1 for every y (NaN too) and pow(-1, +-Inf) = 1.

import { sizeOf, stridesOf, tensor, broadcastShapes, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';

export interface BinaryAttrs {
  readonly fn: BinaryFn;
}

/** C99 Annex F pow (what TensorFlow's Pow computes), from JS Math.pow plus its two differences. */
export function powIeee(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** The scalar function of a binary op, in float64; callers round to float32 when storing. */
export function binaryScalar(fn: BinaryFn): (a: number, b: number) => number {
  switch (fn) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'max':
      // Math.max/min return NaN when either side is NaN, matching TF.
      return Math.max;
    case 'min':
      return Math.min;
    case 'pow':
      return powIeee;
  }
}

/**
 * Strides of `shape` seen through the broadcast output shape `out`: right-aligned, 0 on missing or size-1
 * axes, so that offset = sum(index[i] * stride[i]) over the output index.
 */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const own = stridesOf(shape);
  const lead = out.length - shape.length;
  return out.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

export const binary = defineOp<BinaryAttrs>({
  name: 'binary',
  arity: [2, 2],
  inferShape([a, b]) {
    return [broadcastShapes(a, b, 'binary')];
  },
  reference([a, b], { fn }) {
    const shape = broadcastShapes(a.shape, b.shape, 'binary');
    const out = tensor(shape);
    const f = binaryScalar(fn);
    const sa = broadcastStrides(a.shape, shape);
    const sb = broadcastStrides(b.shape, shape);
    const idx = new Array<number>(shape.length).fill(0);
    const n = sizeOf(shape);
    for (let i = 0; i < n; i++) {
      let oa = 0;
      let ob = 0;
      for (let d = 0; d < shape.length; d++) {
        oa += idx[d] * sa[d];
        ob += idx[d] * sb[d];
      }
      out.data[i] = f(a.data[oa], b.data[ob]);
      // Advance the row-major output index.
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
  cost([a, b]) {
    return sizeOf(broadcastShapes(a, b, 'binary'));
  },
});
