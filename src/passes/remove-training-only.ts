// Removes layers that only act while training (Dropout, SpatialDropout*, GaussianNoise, GaussianDropout,
// AlphaDropout, ActivityRegularization): at inference each is the identity.

import { GraphBuilder } from '../ir/builder.js';
import { isOp, type Graph } from '../ir/graph.js';
import { bypassNode } from './util.js';
import type { Pass } from './types.js';

export const removeTrainingOnly: Pass = {
  name: 'remove-training-only',
  description: 'drop Dropout, GaussianNoise, ActivityRegularization and the like (identity at inference)',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    for (const n of g.nodes) {
      if (isOp(n, 'training_only')) {
        bypassNode(b, n);
        log(`removed ${n.attrs.layerClass} "${n.name}"`);
      }
    }
    return b.finish();
  },
};
