// Gradient of `binary` (Add, Subtract, Multiply, Maximum, Minimum, Rescaling arithmetic) with NumPy
// broadcasting: each operand's gradient is the elementwise gradient summed over the axes it was broadcast on.
// max/min send the gradient to the larger/smaller operand (ties to the first, as TF's Maximum grad does x >= y).

import { UnsupportedFeatureError } from '../../core/errors.js';
import { broadcastShapes, sizeOf, tensor, type Shape } from '../../core/tensor.js';
import { binaryScalar, broadcastStrides, type BinaryAttrs } from '../../ops/binary.js';
import { defineGrad } from './types.js';

/** Calls f(i, ia, ib) for every output element i with the operands' broadcast offsets. */
function forEachBroadcast(a: Shape, b: Shape, out: Shape, f: (i: number, ia: number, ib: number) => void): void {
  const sa = broadcastStrides(a, out);
  const sb = broadcastStrides(b, out);
  const n = sizeOf(out);
  const idx = new Array<number>(out.length).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    f(i, ia, ib);
    for (let d = out.length - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < out[d]) break;
      ia -= sa[d] * out[d];
      ib -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
}

export const binaryGrad = defineGrad<BinaryAttrs>({
  forward([a, b], { fn }, ctx) {
    const shape = broadcastShapes(a.shape, b.shape, 'binary');
    const y = ctx.ws.get(`${ctx.key}:y`, sizeOf(shape));
    const f = binaryScalar(fn);
    const ad = a.data;
    const bd = b.data;
    if (ad.length === y.length && bd.length === y.length) {
      for (let i = 0; i < y.length; i++) y[i] = f(ad[i], bd[i]);
    } else {
      forEachBroadcast(a.shape, b.shape, shape, (i, ia, ib) => {
        y[i] = f(ad[ia], bd[ib]);
      });
    }
    return { outputs: [tensor(shape, y)] };
  },
  backward([dy], [a, b], fwd, { fn }, needs, ctx) {
    if (fn === 'pow') throw new UnsupportedFeatureError('the gradient of pow is not implemented');
    const out = fwd.outputs[0].shape;
    const da = needs[0] ? ctx.ws.zeros(`${ctx.key}:da`, a.data.length) : undefined;
    const db = needs[1] ? ctx.ws.zeros(`${ctx.key}:db`, b.data.length) : undefined;
    const ad = a.data;
    const bd = b.data;
    forEachBroadcast(a.shape, b.shape, out, (i, ia, ib) => {
      const g = dy[i];
      const x = ad[ia];
      const z = bd[ib];
      switch (fn) {
        case 'add':
          if (da) da[ia] += g;
          if (db) db[ib] += g;
          break;
        case 'sub':
          if (da) da[ia] += g;
          if (db) db[ib] -= g;
          break;
        case 'mul':
          if (da) da[ia] += g * z;
          if (db) db[ib] += g * x;
          break;
        case 'div':
          if (da) da[ia] += g / z;
          if (db) db[ib] -= (g * x) / (z * z);
          break;
        case 'max':
          if (x >= z) {
            if (da) da[ia] += g;
          } else if (db) db[ib] += g;
          break;
        case 'min':
          if (x <= z) {
            if (da) da[ia] += g;
          } else if (db) db[ib] += g;
          break;
      }
    });
    return [da, db];
  },
});
