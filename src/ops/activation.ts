// activation: an element-wise Keras activation (everything but softmax, which has its own op).

import { tensor } from '../core/tensor.js';
import { activationScalar, type Activation } from './activation-fns.js';
import { defineOp } from './types.js';

export interface ActivationAttrs {
  readonly activation: Activation;
}

export const activation = defineOp<ActivationAttrs>({
  name: 'activation',
  arity: [1, 1],
  inferShape([x]) {
    return [x];
  },
  reference([x], { activation }) {
    const f = activationScalar(activation);
    const out = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]);
    return [out];
  },
  cost([x]) {
    return x.reduce((a, b) => a * b, 1);
  },
});
