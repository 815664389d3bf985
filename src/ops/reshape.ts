// reshape: same data, new shape. `shape` is the full target shape; dim 0 may be -1 meaning "the batch"
// (carried through as the input's dim 0). The planner aliases the output onto the input buffer.
// Beyond dim 0, one -1 may stand for "whatever is left" (Keras Reshape's target_shape allows it), inferred
// from the non-batch element count. A -1 at dim 0 is always the batch, never NumPy's inferred dim.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf, tensor, type Shape } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface ReshapeAttrs {
  readonly shape: readonly number[];
}

/** The output shape of a reshape of `x` to `target` (see the header for what -1 means). */
export function reshapeShape(x: Shape, target: readonly number[]): number[] {
  const bad = (why: string): ShapeError =>
    new ShapeError(`reshape: cannot reshape ${shapeToString(x)} to [${target.join(', ')}]: ${why}`, { op: 'reshape' });
  const keepBatch = target.length > 0 && target[0] === -1;
  if (keepBatch && x.length === 0) throw bad('a scalar has no batch dim');
  if (!keepBatch && x.length > 0 && x[0] < 0) throw bad('the input batch is symbolic; the target must start with -1');
  const from = keepBatch ? x.slice(1) : x;
  const to = keepBatch ? target.slice(1) : [...target];
  if (from.some((d) => d < 0)) throw bad('only dim 0 may be symbolic');
  let wild = -1;
  to.forEach((d, i) => {
    if (!Number.isInteger(d) || d < -1) throw bad(`invalid dim ${d}`);
    if (d === -1) {
      if (wild >= 0) throw bad('more than one -1 besides the batch');
      wild = i;
    }
  });
  const have = sizeOf(from);
  const known = sizeOf(to.filter((d) => d !== -1));
  if (wild >= 0) {
    if (known === 0 || have % known !== 0) throw bad(`${have} elements do not split into ${known}-element blocks`);
    to[wild] = have / known;
  } else if (known !== have) {
    throw bad(`element counts differ (${have} vs ${known}${keepBatch ? ' per batch row' : ''})`);
  }
  return keepBatch ? [x[0], ...to] : to;
}

export const reshape = defineOp<ReshapeAttrs>({
  name: 'reshape',
  arity: [1, 1],
  inferShape([x], { shape }) {
    return [reshapeShape(x, shape)];
  },
  reference([x], { shape }) {
    return [tensor(reshapeShape(x.shape, shape), x.data.slice())];
  },
  cost() {
    return 0;
  },
});
