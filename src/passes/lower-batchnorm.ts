// Turns a batchnorm that could not be folded into x * scale + shift with constant, broadcastable operands,
// so no kernel ever recomputes sqrt(var + eps) at run time.

import { normAxis } from '../core/tensor.js';
import { GraphBuilder } from '../ir/builder.js';
import { isOp, type Graph } from '../ir/graph.js';
import { batchnormScaleShift } from './fold-batchnorm.js';
import type { Pass } from './types.js';

export const lowerBatchnorm: Pass = {
  name: 'lower-batchnorm',
  description: 'rewrite remaining BatchNormalization as a constant multiply-add',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    for (const n0 of g.nodes) {
      if (!isOp(n0, 'batchnorm')) continue;
      // Re-read: lowering an earlier batchnorm may have rewired this one's input.
      const n = b.node(n0.id) as typeof n0;
      const ss = batchnormScaleShift(g, n);
      if (!ss) continue;
      const xShape = b.shape(n.inputs[0]);
      const axis = normAxis(n.attrs.axis, xShape.length, 'batchnorm');
      // [C, 1, ..., 1]: broadcasts along `axis` against x's trailing dims.
      const shape = [ss.scale.length, ...new Array<number>(xShape.length - axis - 1).fill(1)];
      const scale = b.constant(`${n.name}/scale`, shape, ss.scale);
      const shift = b.constant(`${n.name}/shift`, shape, ss.shift);
      const origin = n.origin;
      const m = b.add1('binary', [n.inputs[0], scale], { fn: 'mul' }, { name: `${n.name}/mul`, origin });
      const a = b.add1('binary', [m, shift], { fn: 'add' }, { name: `${n.name}/add`, origin });
      b.removeNode(n.id);
      b.replaceUses(n.outputs[0], a);
      log(`lowered BatchNormalization "${n.name}" to multiply-add`);
    }
    return b.finish();
  },
};
