// plan(graph, batch, backend): order the nodes, fix the batch, place every tensor in the arena, and let the
// backend pick a kernel per step (and name the steps it runs with the one before, Backend.fuse). The output is
// an immutable ExecutionPlan.

import { ShapeError } from '../core/errors.js';
import { shapeToString, sizeOf } from '../core/tensor.js';
import type { Graph } from '../ir/graph.js';
import { FUSED, type Backend } from '../kernels/abi.js';
import { opDef } from '../ops/registry.js';
import { assignOffsets, type BufferRequest } from './memory.js';
import { topoOrder } from './order.js';
import type { ExecutionPlan, PlanStep, Slot } from './plan.js';

/** Ops whose output is the input's bytes under another shape: the output aliases the input buffer. */
const ALIAS_OPS = new Set(['reshape', 'identity', 'training_only']);

export function makePlan(g: Graph, batch: number, backend: Backend): ExecutionPlan {
  if (!Number.isInteger(batch) || batch < 1) throw new ShapeError(`batch must be a positive integer, got ${batch}`);
  const order = topoOrder(g);

  // Concrete shapes: inputs get the batch, then every node's outputs are re-inferred.
  const shapes = new Map<number, number[]>();
  g.values.forEach((v, id) => {
    if (v?.data) shapes.set(id, [...v.shape]);
  });
  for (const id of g.inputs) {
    const s = g.values[id]!.shape;
    shapes.set(id, s.map((d, i) => (i === 0 && d === -1 ? batch : d)));
  }
  for (const n of order) {
    const outs = opDef(n.op).inferShape(
      n.inputs.map((i) => shapes.get(i)!),
      n.attrs as never,
    );
    outs.forEach((s, k) => {
      if (s.some((d) => d < 0)) throw new ShapeError(`node "${n.name}" (${n.op}) has unresolved shape ${shapeToString(s)} at batch ${batch}`);
      shapes.set(n.outputs[k], [...s]);
    });
  }

  // Buffers: one per arena value, aliases share their root's buffer.
  const root = new Map<number, number>();
  const rootOf = (v: number): number => {
    let r = v;
    while (root.has(r)) r = root.get(r)!;
    return r;
  };
  const isConst = (v: number) => g.values[v]?.data !== undefined;
  for (const n of order) {
    if (ALIAS_OPS.has(n.op) && !isConst(n.inputs[0])) root.set(n.outputs[0], n.inputs[0]);
  }
  let constantBytes = 0;
  const seenConst = new Set<number>();
  for (const n of order) {
    for (const i of n.inputs) if (isConst(i) && !seenConst.has(i)) {
      seenConst.add(i);
      constantBytes += g.values[i]!.data!.byteLength;
    }
  }

  // Arena offsets and the steps with their kernels. `early` moves a value's first write to an earlier step: the
  // outputs of a step fused into the one before it (Backend.fuse) are written there.
  const layout = (early: ReadonlyMap<number, number>) => {
    const interval = new Map<number, { start: number; end: number }>();
    const touch = (v: number, step: number) => {
      if (isConst(v)) return;
      const r = rootOf(v);
      const it = interval.get(r);
      if (!it) interval.set(r, { start: step, end: step });
      else {
        it.start = Math.min(it.start, step);
        it.end = Math.max(it.end, step);
      }
    };
    for (const id of g.inputs) touch(id, -1);
    order.forEach((n, s) => {
      for (const i of n.inputs) touch(i, s);
      for (const o of n.outputs) touch(o, early.get(o) ?? s);
    });
    for (const o of g.outputs) touch(o, Number.POSITIVE_INFINITY);

    const roots = [...interval.keys()];
    const reqs: BufferRequest[] = roots.map((r) => ({ size: sizeOf(shapes.get(r)!), ...interval.get(r)! }));
    const { offsets, size } = assignOffsets(reqs);
    const offsetOf = new Map<number, number>(roots.map((r, i) => [r, offsets[i]]));

    const slot = (v: number): Slot => {
      const val = g.values[v]!;
      const shape = shapes.get(v)!;
      if (val.data) return { value: v, name: val.name, shape, size: val.data.length, offset: -1, data: val.data };
      return { value: v, name: val.name, shape, size: sizeOf(shape), offset: offsetOf.get(rootOf(v))! };
    };
    const steps: PlanStep[] = order.map((n) => {
      const partial = { node: n, inputs: n.inputs.map(slot), outputs: n.outputs.map(slot) };
      return { ...partial, kernel: backend.chooseKernel(partial) };
    });
    return { steps, size, inputs: g.inputs.map(slot), outputs: g.outputs.map(slot) };
  };

  let plan = layout(new Map());
  const fusions = backend.fuse?.(plan.steps, plan.outputs) ?? [];
  if (fusions.length > 0) {
    // Lay out again with the fused steps' outputs written from the absorbing step on, then name the kernels.
    const early = new Map<number, number>();
    for (const f of fusions) for (const o of order[f.step + 1].outputs) early.set(o, f.step);
    plan = layout(early);
    const steps = plan.steps;
    for (const f of fusions) {
      steps[f.step] = { ...steps[f.step], kernel: f.kernel };
      steps[f.step + 1] = { ...steps[f.step + 1], kernel: FUSED };
    }
  }
  return {
    batch,
    backend: backend.name,
    steps: plan.steps,
    arenaSize: plan.size,
    inputs: plan.inputs,
    outputs: plan.outputs,
    constantBytes,
  };
}
