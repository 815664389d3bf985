// Composes back-to-back transposes (the NCHW <-> NHWC pairs the importer inserts around channels_first
// layers) and drops the pair when they cancel.

import { GraphBuilder } from '../ir/builder.js';
import { isOp, producers, type Graph } from '../ir/graph.js';
import { useCounts } from './util.js';
import type { Pass } from './types.js';

export const cancelTransposes: Pass = {
  name: 'cancel-transposes',
  description: 'merge consecutive transposes; drop those that cancel',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    const prod = producers(g);
    const uses = useCounts(g);
    for (const n of g.nodes) {
      if (!isOp(n, 'transpose')) continue;
      const stale = prod.get(n.inputs[0]);
      if (!stale || !isOp(stale, 'transpose') || uses.get(n.inputs[0]) !== 1) continue;
      // Re-read: merging an earlier pair may have rewritten this transpose's producer.
      const first = b.node(stale.id) as typeof stale;
      const p1 = first.attrs.perm;
      const p2 = n.attrs.perm;
      const perm = p2.map((i) => p1[i]);
      b.removeNode(first.id);
      b.updateNode(n.id, { inputs: [first.inputs[0]], attrs: { perm } });
      log(`merged transposes "${first.name}" and "${n.name}"${perm.every((p, i) => p === i) ? ' (they cancel)' : ''}`);
    }
    return b.finish();
  },
};
