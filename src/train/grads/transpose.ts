// Gradient of `transpose` (Permute, channels_first wrappers): transpose back with the inverse permutation.

import { opDef } from '../../ops/registry.js';
import type { TransposeAttrs } from '../../ops/transpose.js';
import { tensor } from '../../core/tensor.js';
import { defineGrad } from './types.js';

export const transposeGrad = defineGrad<TransposeAttrs>({
  forward([x], attrs) {
    return { outputs: opDef('transpose').reference([x], attrs) };
  },
  backward([dy], [x], fwd, { perm }, needs) {
    if (!needs[0]) return [undefined];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    const [dx] = opDef('transpose').reference([tensor(fwd.outputs[0].shape, dy)], { perm: inv });
    void x;
    return [dx.data];
  },
});
