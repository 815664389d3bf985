// A naive interpreter for imported graphs in tests: every node through its op's reference implementation,
// in dependency order, with the batch fixed by the inputs. Checks translation, not speed.

import { sizeOf, type Tensor } from '../../src/core/tensor.js';
import type { Graph } from '../../src/ir/graph.js';
import { opDef } from '../../src/ops/registry.js';

export function runReference(g: Graph, inputs: readonly Tensor[]): Tensor[] {
  const vals = new Map<number, Tensor>();
  g.values.forEach((v, id) => {
    if (v?.data) vals.set(id, { shape: v.shape, data: v.data });
  });
  g.inputs.forEach((id, i) => {
    const t = inputs[i];
    if (sizeOf(t.shape) !== t.data.length) throw new Error(`input ${i}: shape/data mismatch`);
    vals.set(id, t);
  });
  const pending = [...g.nodes];
  while (pending.length > 0) {
    const idx = pending.findIndex((n) => n.inputs.every((i) => vals.has(i)));
    if (idx < 0) throw new Error(`graph has nodes that can never run: ${pending.map((n) => n.name).join(', ')}`);
    const [n] = pending.splice(idx, 1);
    const outs = opDef(n.op).reference(
      n.inputs.map((i) => vals.get(i) as Tensor),
      n.attrs as never,
    );
    n.outputs.forEach((o, k) => vals.set(o, outs[k]));
  }
  return g.outputs.map((o) => {
    const t = vals.get(o);
    if (!t) throw new Error(`output ${o} not computed`);
    return t;
  });
}
