// Gradient of `reshape` (Flatten, Reshape): the same numbers, back in the input's shape.

import { tensor } from '../../core/tensor.js';
import { reshapeShape, type ReshapeAttrs } from '../../ops/reshape.js';
import { defineGrad } from './types.js';

export const reshapeGrad = defineGrad<ReshapeAttrs>({
  forward([x], { shape }) {
    return { outputs: [tensor(reshapeShape(x.shape, shape), x.data)] };
  },
  backward([dy], _inputs, _fwd, _attrs, needs) {
    return [needs[0] ? dy : undefined];
  },
});
