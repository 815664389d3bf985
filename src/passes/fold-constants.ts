// Evaluates, once at compile time, every node whose inputs are all constants (weight reshapes, Normalization
// arithmetic, GraphDef shape computations), using the op's reference implementation.

import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { opDef } from '../ops/registry.js';
import type { Pass } from './types.js';

export const foldConstants: Pass = {
  name: 'fold-constants',
  description: 'precompute nodes whose inputs are all constant',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    // Nodes are not necessarily in order: repeat until nothing changes (each round folds at least one).
    let changed = true;
    while (changed) {
      changed = false;
      for (const n0 of b.liveNodes()) {
        const n = b.node(n0.id);
        const ins = n.inputs.map((i) => b.value(i));
        if (!ins.every((v) => v.data !== undefined)) continue;
        const outs = n.outputs.map((o) => b.value(o));
        if (outs.some((v) => v.shape.includes(-1))) continue;
        const results = opDef(n.op).reference(
          ins.map((v) => ({ shape: v.shape, data: v.data! })),
          n.attrs as never,
        );
        b.removeNode(n.id);
        results.forEach((r, k) => b.replaceUses(n.outputs[k], b.constant(outs[k].name, outs[k].shape, r.data)));
        log(`folded ${n.op} "${n.name}" into a constant`);
        changed = true;
      }
    }
    return b.finish();
  },
};
