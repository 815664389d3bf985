// Execution order: a topological sort that keeps the source order where dependencies allow, so plans are
// deterministic and read like the model file.

import { InternalError } from '../core/errors.js';
import type { Graph, Node } from '../ir/graph.js';

export function topoOrder(g: Graph): Node[] {
  const available = new Set<number>(g.inputs);
  g.values.forEach((v, id) => {
    if (v?.data) available.add(id);
  });
  const remaining = [...g.nodes];
  const order: Node[] = [];
  // O(n^2) worst case, fine for the graph sizes a model file can hold under the node-count limit.
  while (remaining.length) {
    const idx = remaining.findIndex((n) => n.inputs.every((i) => available.has(i)));
    if (idx < 0) throw new InternalError(`graph has a cycle or a missing input near node "${remaining[0].name}"`);
    const [n] = remaining.splice(idx, 1);
    order.push(n);
    for (const o of n.outputs) available.add(o);
  }
  return order;
}
