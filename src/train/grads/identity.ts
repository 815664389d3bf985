// Gradient of `identity` (InputLayer, Identity): passes through.

import { tensor } from '../../core/tensor.js';
import { defineGrad } from './types.js';

export const identityGrad = defineGrad<Record<string, never>>({
  forward([x]) {
    return { outputs: [tensor(x.shape, x.data)] };
  },
  backward([dy], _inputs, _fwd, _attrs, needs) {
    return [needs[0] ? dy : undefined];
  },
});
