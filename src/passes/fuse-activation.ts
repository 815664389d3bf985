// Fuses an element-wise activation into the Dense/Conv that feeds it, so it is applied while the result is
// still in registers instead of in a second pass over memory.

import { GraphBuilder } from '../ir/builder.js';
import { isOp, producers, type Graph } from '../ir/graph.js';
import { useCounts } from './util.js';
import type { Pass } from './types.js';

const FUSABLE = new Set(['dense', 'conv2d', 'depthwise_conv2d', 'conv2d_transpose']);

export const fuseActivation: Pass = {
  name: 'fuse-activation',
  description: 'fuse activations into the preceding Dense/Conv (bias + activation in one kernel)',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    const prod = producers(g);
    const uses = useCounts(g);
    for (const n of g.nodes) {
      if (!isOp(n, 'activation')) continue;
      const x = n.inputs[0];
      const p = prod.get(x);
      if (!p || !FUSABLE.has(p.op) || uses.get(x) !== 1) continue;
      const cur = b.node(p.id);
      const attrs = cur.attrs as { activation: { fn: string } };
      if (attrs.activation.fn !== 'linear') continue;
      b.updateNode(p.id, { attrs: { ...cur.attrs, activation: n.attrs.activation } as typeof cur.attrs });
      b.removeNode(n.id);
      b.replaceUses(n.outputs[0], x);
      log(`fused ${n.attrs.activation.fn} "${n.name}" into ${p.op} "${p.name}"`);
    }
    return b.finish();
  },
};
