// Gradient of `concat` (Concatenate): each input gets its slice of the output gradient.

import { normAxis, sizeOf, tensor } from '../../core/tensor.js';
import type { ConcatAttrs } from '../../ops/concat.js';
import { defineGrad } from './types.js';

export const concatGrad = defineGrad<ConcatAttrs>({
  forward(inputs, { axis }, ctx) {
    const rank = inputs[0].shape.length;
    const a = normAxis(axis, rank, 'concat');
    const shape = [...inputs[0].shape];
    shape[a] = inputs.reduce((s, t) => s + t.shape[a], 0);
    const outer = sizeOf(shape.slice(0, a));
    const inner = sizeOf(shape.slice(a + 1));
    const y = ctx.ws.get(`${ctx.key}:y`, sizeOf(shape));
    const rowOut = shape[a] * inner;
    let off = 0;
    for (const t of inputs) {
      const row = t.shape[a] * inner;
      for (let o = 0; o < outer; o++) y.set(t.data.subarray(o * row, (o + 1) * row), o * rowOut + off);
      off += row;
    }
    return { outputs: [tensor(shape, y)] };
  },
  backward([dy], inputs, fwd, { axis }, needs, ctx) {
    const shape = fwd.outputs[0].shape;
    const a = normAxis(axis, shape.length, 'concat');
    const outer = sizeOf(shape.slice(0, a));
    const inner = sizeOf(shape.slice(a + 1));
    const rowOut = shape[a] * inner;
    let off = 0;
    return inputs.map((t, k) => {
      const row = t.shape[a] * inner;
      let d: Float32Array | undefined;
      if (needs[k]) {
        d = ctx.ws.get(`${ctx.key}:d${k}`, t.data.length);
        for (let o = 0; o < outer; o++) d.set(dy.subarray(o * rowOut + off, o * rowOut + off + row), o * row);
      }
      off += row;
      return d;
    });
  },
});
