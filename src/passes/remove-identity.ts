// Removes identity nodes (InputLayer copies, Activation('linear'), GraphDef Identity) and no-op reshapes
// and transposes, by pointing their consumers at their input.

import { shapeEquals } from '../core/tensor.js';
import { GraphBuilder } from '../ir/builder.js';
import { isOp, type Graph } from '../ir/graph.js';
import { bypassNode } from './util.js';
import type { Pass } from './types.js';

export const removeIdentity: Pass = {
  name: 'remove-identity',
  description: 'drop identity nodes, linear activations, and reshapes/transposes that change nothing',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    for (const n of g.nodes) {
      const inShape = g.values[n.inputs[0]]?.shape;
      const noop =
        isOp(n, 'identity') ||
        (isOp(n, 'activation') && n.attrs.activation.fn === 'linear') ||
        (isOp(n, 'reshape') && inShape !== undefined && shapeEquals(inShape, g.values[n.outputs[0]]!.shape)) ||
        (isOp(n, 'transpose') && n.attrs.perm.every((p, i) => p === i));
      if (noop) {
        bypassNode(b, n);
        log(`removed no-op ${n.op} "${n.name}"`);
      }
    }
    return b.finish();
  },
};
