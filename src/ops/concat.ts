// concat: join inputs along one axis (Keras Concatenate, GraphDef ConcatV2, ONNX Concat).
// All inputs share a rank and every dim but `axis`; along `axis` a symbolic (-1) input makes the output -1.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface ConcatAttrs {
  /** May be negative. */
  readonly axis: number;
}

function concatShape(inputs: readonly Shape[], axis: number): { shape: number[]; axis: number } {
  if (inputs.length === 0) throw new ShapeError('concat: needs at least one input', { op: 'concat' });
  const rank = inputs[0].length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`concat: axis ${axis} out of range for rank ${rank}`, { op: 'concat' });
  const shape = [...inputs[0]];
  for (const s of inputs.slice(1)) {
    if (s.length !== rank || s.some((d, i) => i !== a && d !== shape[i])) {
      throw new ShapeError(`concat: ${shapeToString(s)} does not fit ${shapeToString(inputs[0])} along axis ${axis}`, { op: 'concat' });
    }
    shape[a] = shape[a] < 0 || s[a] < 0 ? -1 : shape[a] + s[a];
  }
  return { shape, axis: a };
}

export const concat = defineOp<ConcatAttrs>({
  name: 'concat',
  arity: [1, 64],
  inferShape(inputs, { axis }) {
    return [concatShape(inputs, axis).shape];
  },
  reference(inputs, attrs) {
    const { shape, axis } = concatShape(
      inputs.map((t) => t.shape),
      attrs.axis,
    );
    const out = tensor(shape);
    const outer = sizeOf(shape.slice(0, axis));
    let at = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of inputs) {
        // Each input contributes one contiguous block of shape[axis..] per outer index.
        const block = sizeOf(t.shape.slice(axis));
        out.data.set(t.data.subarray(o * block, (o + 1) * block), at);
        at += block;
      }
    }
    return [out];
  },
  cost(inputs) {
    return inputs.reduce((n, s) => n + sizeOf(s), 0);
  },
});
