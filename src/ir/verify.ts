// verify(graph): the invariants every graph must hold after import and after every pass.
// Throws InternalError naming the first broken invariant; tests call it after each pass.

import { InternalError } from '../core/errors.js';
import { shapeEquals, shapeToString } from '../core/tensor.js';
import { OPS, opDef } from '../ops/registry.js';
import type { Graph } from './graph.js';

export function verify(g: Graph): void {
  const fail = (msg: string): never => {
    throw new InternalError(`graph verify: ${msg}`);
  };
  const produced = new Map<number, string>();
  for (const id of g.inputs) {
    if (!g.values[id]) fail(`graph input ${id} does not exist`);
    produced.set(id, 'graph input');
  }
  g.values.forEach((v, id) => {
    if (v && v.id !== id) fail(`value at ${id} has id ${v.id}`);
    if (v?.data) produced.set(id, 'constant');
  });
  for (const n of g.nodes) {
    if (!(n.op in OPS)) fail(`node "${n.name}" has unknown op ${n.op}`);
    for (const o of n.outputs) {
      if (!g.values[o]) fail(`node "${n.name}" output ${o} does not exist`);
      if (produced.has(o)) fail(`value ${o} produced twice (${produced.get(o)} and node "${n.name}")`);
      produced.set(o, `node "${n.name}"`);
    }
  }
  for (const n of g.nodes) {
    for (const i of n.inputs) if (!produced.has(i)) fail(`node "${n.name}" reads value ${i}, which nothing produces`);
    const def = opDef(n.op);
    if (n.inputs.length < def.arity[0] || n.inputs.length > def.arity[1]) fail(`node "${n.name}" has ${n.inputs.length} inputs`);
    const inferred = def.inferShape(
      n.inputs.map((i) => g.values[i]!.shape),
      n.attrs as never,
    );
    if (inferred.length !== n.outputs.length) fail(`node "${n.name}" has ${n.outputs.length} outputs, op gives ${inferred.length}`);
    inferred.forEach((s, k) => {
      const have = g.values[n.outputs[k]]!.shape;
      if (!shapeEquals(s, have)) fail(`node "${n.name}" output ${k} is ${shapeToString(have)}, inferred ${shapeToString(s)}`);
    });
  }
  for (const o of g.outputs) if (!produced.has(o)) fail(`graph output ${o} is never produced`);
  // Acyclic: Kahn's algorithm must consume every node.
  const pending = new Map<number, number>();
  const byInput = new Map<number, number[]>();
  g.nodes.forEach((n, idx) => {
    const deps = n.inputs.filter((i) => !g.inputs.includes(i) && !g.values[i]?.data);
    pending.set(idx, deps.length);
    for (const d of deps) byInput.set(d, [...(byInput.get(d) ?? []), idx]);
  });
  const ready = [...pending].filter(([, c]) => c === 0).map(([i]) => i);
  let seen = 0;
  while (ready.length) {
    const idx = ready.pop()!;
    seen++;
    for (const o of g.nodes[idx].outputs) {
      for (const c of byInput.get(o) ?? []) {
        const left = pending.get(c)! - 1;
        pending.set(c, left);
        if (left === 0) ready.push(c);
      }
    }
  }
  if (seen !== g.nodes.length) fail('graph has a cycle');
}
