// pad: constant padding per axis (Keras ZeroPadding1D/2D, GraphDef Pad, ONNX Pad).
// A symbolic batch (-1) stays -1 whatever its pads; the value may be any float (NaN and Inf included).

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, stridesOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface PadAttrs {
  /** One [before, after] pair per axis of the input, non-negative. */
  readonly pads: readonly (readonly [number, number])[];
  readonly value: number;
}

/** Output shape of pad, with every check; used by inferShape and by the reference itself. */
export function padOutShape(x: Shape, a: PadAttrs): number[] {
  const op = 'pad';
  if (!x.every((d, i) => Number.isInteger(d) && (d >= 0 || (i === 0 && d === -1)))) {
    throw new ShapeError(`pad: bad input shape ${shapeToString(x)}`, { op });
  }
  if (a.pads.length !== x.length) throw new ShapeError(`pad: ${a.pads.length} [before, after] pairs for an input of rank ${x.length}`, { op });
  const flat = a.pads.flatMap((p) => [p[0], p[1]]);
  if (!a.pads.every((p) => p.length === 2) || !flat.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ShapeError(`pad: pads must be [before, after] pairs of whole numbers >= 0, got ${JSON.stringify(a.pads)}`, { op });
  }
  return x.map((d, i) => (d < 0 ? d : a.pads[i][0] + d + a.pads[i][1]));
}

export const pad = defineOp<PadAttrs>({
  name: 'pad',
  arity: [1, 1],
  inferShape([x], attrs) {
    return [padOutShape(x, attrs)];
  },
  reference([x], attrs) {
    const outShape = padOutShape(x.shape, attrs);
    const out = tensor(outShape);
    out.data.fill(attrs.value);
    // Copy each input element to its place: input index + `before`, per axis.
    const inStrides = stridesOf(x.shape);
    const outStrides = stridesOf(outShape);
    const rank = x.shape.length;
    for (let i = 0; i < x.data.length; i++) {
      let o = 0;
      for (let a = 0; a < rank; a++) {
        const idx = Math.floor(i / inStrides[a]) % x.shape[a];
        o += (idx + attrs.pads[a][0]) * outStrides[a];
      }
      out.data[o] = x.data[i];
    }
    return [out];
  },
  cost([x], attrs) {
    // One write per output element.
    return sizeOf(padOutShape(x, attrs));
  },
});
