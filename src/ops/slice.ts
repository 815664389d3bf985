// slice: a contiguous box of the input (Keras Cropping1D/2D, GraphDef Slice/StridedSlice with step 1).
// A box reaching past the input is a ShapeError (no clamping); a symbolic batch can only be kept whole.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, stridesOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface SliceAttrs {
  /** Start per axis (non-negative). */
  readonly begin: readonly number[];
  /** Extent per axis; -1 means to the end. On axis 0 with a -1 batch, use begin 0 and size -1. */
  readonly size: readonly number[];
}

/** Output shape of slice, with every check; used by inferShape and by the reference itself. */
export function sliceOutShape(x: Shape, a: SliceAttrs): number[] {
  const op = 'slice';
  if (!x.every((d, i) => Number.isInteger(d) && (d >= 0 || (i === 0 && d === -1)))) {
    throw new ShapeError(`slice: bad input shape ${shapeToString(x)}`, { op });
  }
  if (a.begin.length !== x.length || a.size.length !== x.length) {
    throw new ShapeError(`slice: begin [${a.begin.join(', ')}] and size [${a.size.join(', ')}] must both have one entry per axis of ${shapeToString(x)}`, { op });
  }
  return x.map((d, i) => {
    const b = a.begin[i];
    const s = a.size[i];
    if (!Number.isInteger(b) || b < 0 || !Number.isInteger(s) || s < -1) {
      throw new ShapeError(`slice: axis ${i}: begin ${b} must be a whole number >= 0 and size ${s} one >= -1`, { op });
    }
    if (d === -1) {
      if (b !== 0 || s !== -1) throw new ShapeError(`slice: axis ${i} is the symbolic batch; only begin 0, size -1 (all of it) is allowed, got begin ${b} size ${s}`, { op });
      return -1;
    }
    const extent = s === -1 ? d - b : s;
    if (b + extent > d || extent < 0) throw new ShapeError(`slice: axis ${i}: begin ${b} size ${s} reaches past its size ${d}`, { op });
    return extent;
  });
}

export const slice = defineOp<SliceAttrs>({
  name: 'slice',
  arity: [1, 1],
  inferShape([x], attrs) {
    return [sliceOutShape(x, attrs)];
  },
  reference([x], attrs) {
    const outShape = sliceOutShape(x.shape, attrs);
    const out = tensor(outShape);
    // Read each output element from its place: output index + begin, per axis.
    const inStrides = stridesOf(x.shape);
    const outStrides = stridesOf(outShape);
    const rank = outShape.length;
    for (let o = 0; o < out.data.length; o++) {
      let i = 0;
      for (let a = 0; a < rank; a++) {
        const idx = Math.floor(o / outStrides[a]) % outShape[a];
        i += (idx + attrs.begin[a]) * inStrides[a];
      }
      out.data[o] = x.data[i];
    }
    return [out];
  },
  cost([x], attrs) {
    // One copy per output element.
    return sizeOf(sliceOutShape(x, attrs));
  },
});
