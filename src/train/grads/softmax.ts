// Gradient of `softmax` along any axis: dx = y * (dy - sum_axis(dy * y)).
// (Softmax followed by a crossentropy loss never comes here: the loss takes the logits, as Keras does.)

import { normAxis, sizeOf, tensor } from '../../core/tensor.js';
import type { SoftmaxAttrs } from '../../ops/softmax.js';
import { defineGrad } from './types.js';

export const softmaxGrad = defineGrad<SoftmaxAttrs>({
  forward([x], { axis }, ctx) {
    const a = normAxis(axis, x.shape.length, 'softmax');
    const outer = sizeOf(x.shape.slice(0, a));
    const n = x.shape[a];
    const inner = sizeOf(x.shape.slice(a + 1));
    const y = ctx.ws.get(`${ctx.key}:y`, x.data.length);
    const xd = x.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let max = -Infinity;
        for (let k = 0; k < n; k++) max = Math.max(max, xd[base + k * inner]);
        let sum = 0;
        for (let k = 0; k < n; k++) {
          const e = Math.exp(xd[base + k * inner] - max);
          y[base + k * inner] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let k = 0; k < n; k++) y[base + k * inner] *= inv;
      }
    }
    return { outputs: [tensor(x.shape, y)] };
  },
  backward([dy], [x], fwd, { axis }, needs) {
    if (!needs[0]) return [undefined];
    const a = normAxis(axis, x.shape.length, 'softmax');
    const outer = sizeOf(x.shape.slice(0, a));
    const n = x.shape[a];
    const inner = sizeOf(x.shape.slice(a + 1));
    const y = fwd.outputs[0].data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += dy[base + k * inner] * y[base + k * inner];
        for (let k = 0; k < n; k++) {
          const p = base + k * inner;
          dy[p] = y[p] * (dy[p] - dot);
        }
      }
    }
    return [dy];
  },
});
