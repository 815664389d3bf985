// Fused activation for JS kernels: picks a tight loop for the common cases, the shared scalar table otherwise.

import { activationScalar, type Activation } from '../../ops/activation-fns.js';

/** Returns a function applying `a` in place over out[from, to). */
export function activator(a: Activation): ((out: Float32Array, from: number, to: number) => void) | undefined {
  switch (a.fn) {
    case 'linear':
      return undefined;
    case 'relu':
      return (o, from, to) => {
        for (let i = from; i < to; i++) if (o[i] < 0) o[i] = 0;
      };
    case 'relu6':
      return (o, from, to) => {
        for (let i = from; i < to; i++) {
          const v = o[i];
          if (v < 0) o[i] = 0;
          else if (v > 6) o[i] = 6;
        }
      };
    default: {
      const f = activationScalar(a);
      return (o, from, to) => {
        for (let i = from; i < to; i++) o[i] = f(o[i]);
      };
    }
  }
}
