// The reference back end's only kernel: runs an op's reference implementation on arena views and copies the
// result in. Allocates on every call (the references do): it is the oracle path, and the fallback for ops a
// fast back end does not cover, which `kerasrt inspect` shows as "reference.<op>".

import { opDef } from '../../ops/registry.js';
import type { JsKernel } from '../abi.js';
import { viewOf } from './views.js';

export const referenceKernel: JsKernel = {
  name: 'reference',
  supports: () => true,
  bind(step, arena) {
    const def = opDef(step.node.op);
    const ins = step.inputs.map((s) => ({ shape: s.shape, data: viewOf(s, arena) }));
    const outs = step.outputs.map((s) => viewOf(s, arena));
    const attrs = step.node.attrs as never;
    return () => {
      const res = def.reference(ins, attrs);
      for (let k = 0; k < outs.length; k++) outs[k].set(res[k].data);
    };
  },
};

/** Output bytes are the input bytes (the planner aliased them): nothing to do. Otherwise, a copy. */
export const aliasKernel: JsKernel = {
  name: 'alias',
  supports: (step) =>
    ['reshape', 'identity', 'training_only'].includes(step.node.op) && step.inputs[0].size === step.outputs[0].size,
  bind(step, arena) {
    const src = viewOf(step.inputs[0], arena);
    const dst = viewOf(step.outputs[0], arena);
    if (step.inputs[0].offset === step.outputs[0].offset && step.inputs[0].offset >= 0) return () => {};
    return () => dst.set(src);
  },
};
