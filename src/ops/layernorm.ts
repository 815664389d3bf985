// layernorm: normalise over `axes` with the biased variance, then * gamma + beta (Keras LayerNormalization).
// Inputs: x, gamma, beta; gamma/beta have the shape of x restricted to `axes` (1-D when one axis).
// As in Keras (which reshapes gamma to the broadcast shape), gamma/beta data are read row-major over the axes
// in increasing order, whatever order `axes` lists them in. Mean and variance are two-pass, in float64.

import { ShapeError } from '../core/errors.js';
import { shapeEquals, shapeToString, sizeOf, stridesOf, tensor, type Shape } from '../core/tensor.js';
import { normAxes } from './reduce.js';
import { defineOp } from './types.js';

export interface LayernormAttrs {
  readonly axes: readonly number[];
  readonly epsilon: number;
}

function checkShapes(x: Shape, params: readonly Shape[], axes: readonly number[]): number[] {
  const sorted = normAxes(axes, x.length, 'layernorm');
  if (axes.length === 0) throw new ShapeError('layernorm: needs at least one axis', { op: 'layernorm' });
  if (sorted.some((a) => x[a] < 0)) throw new ShapeError(`layernorm: cannot normalise over the symbolic batch of ${shapeToString(x)}`, { op: 'layernorm' });
  const given = axes.map((a) => x[a < 0 ? a + x.length : a]);
  const ascending = sorted.map((a) => x[a]);
  params.forEach((p, i) => {
    if (!shapeEquals(p, given) && !shapeEquals(p, ascending)) {
      throw new ShapeError(`layernorm: ${i === 0 ? 'gamma' : 'beta'} is ${shapeToString(p)}, expected ${shapeToString(given)} for x ${shapeToString(x)}`, { op: 'layernorm' });
    }
  });
  return sorted;
}

export const layernorm = defineOp<LayernormAttrs>({
  name: 'layernorm',
  arity: [3, 3],
  inferShape([x, gamma, beta], { axes }) {
    checkShapes(x, [gamma, beta], axes);
    return [[...x]];
  },
  reference([x, gamma, beta], { axes, epsilon }) {
    const ax = checkShapes(x.shape, [gamma.shape, beta.shape], axes);
    const rank = x.shape.length;
    const out = tensor(x.shape);
    // Group elements: "group" index over the kept axes, "param" index over the normalised axes (row-major,
    // increasing axis order).
    const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
    const keptStrides = stridesOf(keptShape);
    const paramShape = ax.map((a) => x.shape[a]);
    const paramStrides = stridesOf(paramShape);
    const groups = sizeOf(keptShape);
    const count = sizeOf(paramShape);
    const groupOf = new Int32Array(x.data.length);
    const paramOf = new Int32Array(x.data.length);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < x.data.length; i++) {
      let g = 0;
      let p = 0;
      for (let d = 0; d < rank; d++) {
        const k = ax.indexOf(d);
        if (k < 0) g += idx[d] * keptStrides[d];
        else p += idx[d] * paramStrides[k];
      }
      groupOf[i] = g;
      paramOf[i] = p;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
    const mean = new Float64Array(groups);
    const variance = new Float64Array(groups);
    for (let i = 0; i < x.data.length; i++) mean[groupOf[i]] += x.data[i];
    for (let g = 0; g < groups; g++) mean[g] /= count;
    for (let i = 0; i < x.data.length; i++) variance[groupOf[i]] += (x.data[i] - mean[groupOf[i]]) ** 2;
    for (let g = 0; g < groups; g++) variance[g] /= count;
    for (let i = 0; i < x.data.length; i++) {
      const g = groupOf[i];
      const p = paramOf[i];
      out.data[i] = ((x.data[i] - mean[g]) / Math.sqrt(variance[g] + epsilon)) * gamma.data[p] + beta.data[p];
    }
    return [out];
  },
  cost([x]) {
    // Mean, variance, then normalise + scale + shift: about five element operations per element.
    return 5 * sizeOf(x);
  },
});
