// Moves a constant per-channel add that follows a bias-less Dense/Conv into the op's bias input
// (GraphDef MatMul + BiasAdd, ONNX MatMul + Add, Conv + Add).

import { GraphBuilder } from '../ir/builder.js';
import { isOp, producers, type Graph } from '../ir/graph.js';
import { useCounts } from './util.js';
import type { Pass } from './types.js';

const FUSABLE = new Set(['dense', 'conv2d', 'depthwise_conv2d', 'conv2d_transpose']);

export const fuseBias: Pass = {
  name: 'fuse-bias',
  description: 'fold a constant per-channel add into the preceding bias-less Dense/Conv',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    const prod = producers(g);
    const uses = useCounts(g);
    for (const n of g.nodes) {
      if (!isOp(n, 'binary') || n.attrs.fn !== 'add') continue;
      const [a, c] = g.values[n.inputs[1]]?.data ? [n.inputs[0], n.inputs[1]] : [n.inputs[1], n.inputs[0]];
      const bias = g.values[c];
      const p = prod.get(a);
      if (!bias?.data || !p || !FUSABLE.has(p.op) || p.inputs.length !== 2 || uses.get(a) !== 1) continue;
      if ((p.attrs as { activation: { fn: string } }).activation.fn !== 'linear') continue;
      const channels = g.values[a]!.shape.at(-1)!;
      const flat = bias.shape.filter((d) => d !== 1);
      if (bias.data.length !== channels || flat.length > 1 || (bias.shape.length > 0 && bias.shape.at(-1) !== channels && channels !== 1)) continue;
      const bId = b.constant(`${p.name}/bias`, [channels], bias.data);
      b.updateNode(p.id, { inputs: [b.node(p.id).inputs[0], p.inputs[1], bId] });
      b.removeNode(n.id);
      b.replaceUses(n.outputs[0], a);
      log(`fused add "${n.name}" into ${p.op} "${p.name}" as its bias`);
    }
    return b.finish();
  },
};
