// identity: output = input (Keras InputLayer copies, Activation('linear'), GraphDef Identity). Removed by a pass.

import { tensor } from '../core/tensor.js';
import { defineOp } from './types.js';

export type IdentityAttrs = Record<string, never>;

export const identity = defineOp<IdentityAttrs>({
  name: 'identity',
  arity: [1, 1],
  inferShape([x]) {
    return [[...x]];
  },
  reference([x]) {
    return [tensor(x.shape, x.data.slice())];
  },
  cost() {
    return 0;
  },
});
