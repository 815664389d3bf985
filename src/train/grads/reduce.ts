// Gradient of `reduce` (GlobalAveragePooling / GlobalMaxPooling and Keras means): mean and sum spread the
// gradient over the reduced cells (mean divides by their count); max sends it to the first maximum.

import { UnsupportedFeatureError } from '../../core/errors.js';
import { sizeOf } from '../../core/tensor.js';
import { opDef } from '../../ops/registry.js';
import { normAxes, type ReduceAttrs } from '../../ops/reduce.js';
import { defineGrad } from './types.js';

export const reduceGrad = defineGrad<ReduceAttrs>({
  forward([x], attrs) {
    return { outputs: opDef('reduce').reference([x], attrs) };
  },
  backward([dy], [x], fwd, attrs, needs, ctx) {
    if (!needs[0]) return [undefined];
    if (attrs.type !== 'mean' && attrs.type !== 'sum' && attrs.type !== 'max') {
      throw new UnsupportedFeatureError(`the gradient of reduce ${attrs.type} is not implemented`);
    }
    const axes = normAxes(attrs.axes, x.shape.length, 'reduce');
    const shape = x.shape;
    // Strides of the (keepDims) output seen from the input index.
    const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, q) => p * q, 1));
    const count = axes.reduce((p, a) => p * shape[a], 1);
    const dx = ctx.ws.zeros(`${ctx.key}:dx`, x.data.length);
    const y = fwd.outputs[0].data;
    const taken = attrs.type === 'max' ? new Uint8Array(y.length) : undefined;
    const idx = new Array<number>(shape.length).fill(0);
    const n = sizeOf(shape);
    for (let i = 0; i < n; i++) {
      let o = 0;
      for (let d = 0; d < shape.length; d++) o += (outShape[d] === 1 ? 0 : idx[d]) * outStrides[d];
      if (attrs.type === 'mean') dx[i] = dy[o] / count;
      else if (attrs.type === 'sum') dx[i] = dy[o];
      else if (taken && !taken[o] && x.data[i] === y[o]) {
        dx[i] = dy[o];
        taken[o] = 1;
      }
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return [dx];
  },
});
