// batchnorm: inference-mode batch normalisation along one axis:
// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta. Inputs: x, gamma, beta, mean, variance (each [C]).
// The importer supplies ones/zeros where Keras had scale=False / center=False.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, tensor } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface BatchnormAttrs {
  /** The channel axis, may be negative. */
  readonly axis: number;
  readonly epsilon: number;
}

const PARAMS = ['gamma', 'beta', 'mean', 'variance'] as const;

function channelAxis(rank: number, axis: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`batchnorm: axis ${axis} out of range for rank ${rank}`, { op: 'batchnorm' });
  return a;
}

export const batchnorm = defineOp<BatchnormAttrs>({
  name: 'batchnorm',
  arity: [5, 5],
  inferShape([x, ...params], { axis }) {
    const a = channelAxis(x.length, axis);
    const c = x[a];
    if (c < 0) throw new ShapeError(`batchnorm: channel axis ${axis} of ${shapeToString(x)} is the symbolic batch`, { op: 'batchnorm' });
    params.forEach((p, i) => {
      if (p.length !== 1 || p[0] !== c) {
        throw new ShapeError(`batchnorm: ${PARAMS[i]} is ${shapeToString(p)}, expected [${c}] for x ${shapeToString(x)}`, { op: 'batchnorm' });
      }
    });
    return [[...x]];
  },
  reference([x, gamma, beta, mean, variance], { axis, epsilon }) {
    const a = channelAxis(x.shape.length, axis);
    const c = x.shape[a];
    const inner = sizeOf(x.shape.slice(a + 1));
    const out = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) {
      const ch = Math.floor(i / inner) % c;
      out.data[i] = ((x.data[i] - mean.data[ch]) / Math.sqrt(variance.data[ch] + epsilon)) * gamma.data[ch] + beta.data[ch];
    }
    return [out];
  },
  cost([x]) {
    // Folded to one multiply-add per element by any sane kernel.
    return sizeOf(x);
  },
});
