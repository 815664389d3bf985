// Folds an inference BatchNormalization into the Conv/Dense that feeds it: with s = gamma / sqrt(var + eps),
// W'[..., c] = W[..., c] * s[c] and b'[c] = (b[c] - mean[c]) * s[c] + beta[c]. One fewer pass over memory per
// prediction and nothing left to compute at run time. Only when the producer's output feeds nothing else.

import { normAxis } from '../core/tensor.js';
import { GraphBuilder } from '../ir/builder.js';
import { isOp, producers, type Graph, type Node } from '../ir/graph.js';
import { bypassNode, useCounts } from './util.js';
import type { Pass } from './types.js';

const FOLDABLE = new Set(['dense', 'conv2d', 'depthwise_conv2d']);

/** Per-channel scale and shift of an inference batchnorm, from its constant inputs (undefined if not constant). */
export function batchnormScaleShift(g: Graph, bn: Node<'batchnorm'>): { scale: Float32Array; shift: Float32Array } | undefined {
  const [, gammaId, betaId, meanId, varId] = bn.inputs;
  const gamma = g.values[gammaId]?.data;
  const beta = g.values[betaId]?.data;
  const mean = g.values[meanId]?.data;
  const variance = g.values[varId]?.data;
  if (!gamma || !beta || !mean || !variance) return undefined;
  const c = gamma.length;
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    // Computed in float64 then rounded once, as Keras does in float32 arithmetic up to rounding.
    const s = gamma[i] / Math.sqrt(variance[i] + bn.attrs.epsilon);
    scale[i] = s;
    shift[i] = beta[i] - mean[i] * s;
  }
  return { scale, shift };
}

export const foldBatchnorm: Pass = {
  name: 'fold-batchnorm',
  description: 'fold BatchNormalization into the preceding Conv/Dense weights and bias',
  run(g: Graph, log) {
    const b = GraphBuilder.from(g);
    const prod = producers(g);
    const uses = useCounts(g);
    for (const n of g.nodes) {
      if (!isOp(n, 'batchnorm')) continue;
      const x = n.inputs[0];
      const p = prod.get(x);
      if (!p || !FOLDABLE.has(p.op) || uses.get(x) !== 1) continue;
      const rank = g.values[x]!.shape.length;
      if (normAxis(n.attrs.axis, rank, 'batchnorm') !== rank - 1) continue;
      const pa = p.attrs as { activation: { fn: string } };
      if (pa.activation.fn !== 'linear') continue;
      const ss = batchnormScaleShift(g, n);
      const kernel = g.values[p.inputs[1]];
      const bias = p.inputs[2] === undefined ? undefined : g.values[p.inputs[2]]?.data;
      if (!ss || !kernel?.data || (p.inputs[2] !== undefined && !bias)) continue;
      const c = ss.scale.length;
      const w = new Float32Array(kernel.data.length);
      for (let i = 0; i < w.length; i++) w[i] = kernel.data[i] * ss.scale[i % c];
      const nb = new Float32Array(c);
      for (let i = 0; i < c; i++) nb[i] = (bias ? bias[i] : 0) * ss.scale[i] + ss.shift[i];
      const wId = b.constant(`${kernel.name}/bn_folded`, kernel.shape, w);
      const bId = b.constant(`${p.name}/bias_bn_folded`, [c], nb);
      b.updateNode(p.id, { inputs: [b.node(p.id).inputs[0], wId, bId] });
      bypassNode(b, n);
      log(`folded BatchNormalization "${n.name}" into ${p.op} "${p.name}"`);
    }
    return b.finish();
  },
};
