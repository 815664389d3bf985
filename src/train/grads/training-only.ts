// Gradient of `training_only`, the op a Dropout layer becomes. At inference it is the identity (the compiler
// removes it); while training, Dropout keeps each element with probability 1 - rate and scales it by
// 1 / (1 - rate) (inverted dropout, as keras.layers.Dropout), and the gradient goes through the same mask.
// noise_shape (a dim of 1 shares the mask along that axis) is honoured.

import { UnsupportedFeatureError } from '../../core/errors.js';
import { tensor } from '../../core/tensor.js';
import type { TrainingOnlyAttrs } from '../../ops/training-only.js';
import { defineGrad } from './types.js';

export const trainingOnlyGrad = defineGrad<TrainingOnlyAttrs>({
  forward([x], attrs, ctx) {
    const b = ctx.behaviour;
    if (!ctx.training || !b || (b.kind === 'dropout' && b.rate === 0)) return { outputs: [tensor(x.shape, x.data)] };
    if (b.kind !== 'dropout') throw new UnsupportedFeatureError(`training a ${attrs.layerClass} layer is not supported`);
    const n = x.data.length;
    const mask = ctx.ws.get(`${ctx.key}:mask`, n);
    const keep = 1 - b.rate;
    const scale = keep > 0 ? 1 / keep : 0;
    const ns = b.noiseShape;
    if (ns && ns.some((d, i) => d === 1 && x.shape[i] !== 1)) {
      // A shared mask: draw one value per noise cell, broadcast over the axes where noise_shape is 1.
      const shape = x.shape.map((d, i) => (ns[i] === 1 ? 1 : d));
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
      const cells = new Float32Array(shape.reduce((p, q) => p * q, 1));
      for (let i = 0; i < cells.length; i++) cells[i] = ctx.random() < keep ? scale : 0;
      const idx = new Array<number>(x.shape.length).fill(0);
      for (let i = 0; i < n; i++) {
        let o = 0;
        for (let d = 0; d < idx.length; d++) o += (shape[d] === 1 ? 0 : idx[d]) * strides[d];
        mask[i] = cells[o];
        for (let d = idx.length - 1; d >= 0; d--) {
          if (++idx[d] < x.shape[d]) break;
          idx[d] = 0;
        }
      }
    } else {
      for (let i = 0; i < n; i++) mask[i] = ctx.random() < keep ? scale : 0;
    }
    const y = ctx.ws.get(`${ctx.key}:y`, n);
    const xd = x.data;
    for (let i = 0; i < n; i++) y[i] = xd[i] * mask[i];
    return { outputs: [tensor(x.shape, y)], saved: mask };
  },
  backward([dy], _inputs, fwd, _attrs, needs) {
    if (!needs[0]) return [undefined];
    const mask = fwd.saved as Float32Array | undefined;
    if (mask) for (let i = 0; i < dy.length; i++) dy[i] *= mask[i];
    return [dy];
  },
});
