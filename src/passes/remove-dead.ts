// Removes nodes whose results reach no graph output (e.g. the extra heads of a visualisation model once
// the user picks outputs, or the `accuracy` subgraph of a frozen TF graph).

import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import type { Pass } from './types.js';

export const removeDead: Pass = {
  name: 'remove-dead',
  description: 'remove nodes that no output depends on',
  run(g: Graph, log) {
    const needed = new Set<number>(g.outputs);
    const prodOf = new Map<number, (typeof g.nodes)[number]>();
    for (const n of g.nodes) for (const o of n.outputs) prodOf.set(o, n);
    const stack = [...g.outputs];
    const live = new Set<number>();
    while (stack.length) {
      const v = stack.pop()!;
      const n = prodOf.get(v);
      if (!n || live.has(n.id)) continue;
      live.add(n.id);
      for (const i of n.inputs) if (!needed.has(i)) {
        needed.add(i);
        stack.push(i);
      }
    }
    const b = GraphBuilder.from(g);
    for (const n of g.nodes) {
      if (!live.has(n.id)) {
        b.removeNode(n.id);
        log(`removed dead ${n.op} "${n.name}"`);
      }
    }
    return b.finish();
  },
};
