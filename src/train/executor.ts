// The training executor: runs an IR graph forward in training (or inference) mode through the ops' training
// forwards (src/train/grads/), keeps the tape, and runs it backward from seed gradients to the gradients of
// the variables (and, on request, of the inputs). Weights are graph constants whose data the model's
// Variables share, so an optimizer step updates the graph in place.

import { UnsupportedFeatureError, ShapeError, InternalError } from '../core/errors.js';
import { shapeToString, sizeOf, tensor, type Tensor } from '../core/tensor.js';
import type { Graph, Node } from '../ir/graph.js';
import { topoOrder } from '../planner/order.js';
import { gradOf, isDifferentiable } from './grads/registry.js';
import { Workspace, type Forward, type OpContext, type TrainingBehaviour } from './grads/types.js';
import type { TrainKernels } from './kernels/types.js';
import type { Variable } from './variable.js';

/** A graph plus what training needs beside it. */
export interface TrainGraph {
  readonly graph: Graph;
  /** Graph constant value id -> the variable whose data it shares. */
  readonly variables: ReadonlyMap<number, Variable>;
  /** Node id -> what the node does only while training (dropout, batch statistics). */
  readonly behaviours: ReadonlyMap<number, TrainingBehaviour>;
}

export interface ExecutorOptions {
  readonly kernels: TrainKernels;
  /** Uniform [0, 1) source for dropout. */
  readonly random: () => number;
  /** Also compute gradients of the graph inputs (gradient checks). Default false. */
  readonly inputGrads?: boolean;
}

interface TapeEntry {
  readonly node: Node;
  readonly inputs: Tensor[];
  readonly fwd: Forward;
  readonly ctx: OpContext;
}

export class Executor {
  readonly order: readonly Node[];
  private readonly requiresGrad: boolean[];
  private readonly ws = new Workspace();
  private values: (Tensor | undefined)[] = [];
  private tape: TapeEntry[] = [];

  constructor(
    readonly tg: TrainGraph,
    private readonly opts: ExecutorOptions,
  ) {
    const g = tg.graph;
    this.order = topoOrder(g);
    for (const n of this.order) {
      if (!isDifferentiable(n.op)) {
        const where = n.origin ? `layer "${n.origin.layer}" (${n.origin.className})` : `node "${n.name}"`;
        throw new UnsupportedFeatureError(`training through op ${n.op} (${where}) is not supported: it has no gradient`);
      }
    }
    this.requiresGrad = new Array<boolean>(g.values.length).fill(false);
    for (const [id, v] of tg.variables) if (v.trainable) this.requiresGrad[id] = true;
    if (opts.inputGrads) for (const id of g.inputs) this.requiresGrad[id] = true;
    for (const n of this.order) {
      if (n.inputs.some((i) => this.requiresGrad[i])) for (const o of n.outputs) this.requiresGrad[o] = true;
    }
  }

  /** Runs the graph on concrete inputs (dim 0 = batch); returns the graph outputs (workspace buffers). */
  forward(inputs: readonly Tensor[], training: boolean): Tensor[] {
    const g = this.tg.graph;
    if (inputs.length !== g.inputs.length) throw new ShapeError(`the model takes ${g.inputs.length} inputs, got ${inputs.length}`);
    const values: (Tensor | undefined)[] = new Array(g.values.length);
    g.inputs.forEach((id, i) => {
      const want = g.values[id]?.shape ?? [];
      const got = inputs[i].shape;
      if (got.length !== want.length || want.some((d, k) => k > 0 && d !== got[k]) || got.some((d) => d < 0)) {
        throw new ShapeError(`input ${i}: expected ${shapeToString(want)}, got ${shapeToString(got)}`);
      }
      values[id] = inputs[i];
    });
    g.values.forEach((v, id) => {
      if (v?.data) values[id] = tensor(v.shape, v.data);
    });
    const tape: TapeEntry[] = [];
    for (const n of this.order) {
      const ins = n.inputs.map((i) => {
        const t = values[i];
        if (!t) throw new InternalError(`value ${i} is not computed before node "${n.name}"`);
        return t;
      });
      const ctx: OpContext = {
        training,
        kernels: this.opts.kernels,
        ws: this.ws,
        key: `n${n.id}`,
        behaviour: this.tg.behaviours.get(n.id),
        random: this.opts.random,
      };
      const fwd = gradOf(n.op as never).forward(ins, n.attrs as never, ctx);
      fwd.outputs.forEach((t, k) => {
        values[n.outputs[k]] = t;
      });
      tape.push({ node: n, inputs: ins, fwd, ctx });
    }
    this.values = values;
    this.tape = tape;
    return g.outputs.map((id) => values[id] as Tensor);
  }

  /** The tensor a value had in the last forward (e.g. the logits feeding a softmax output). */
  valueOf(id: number): Tensor | undefined {
    return this.values[id];
  }

  /**
   * Backward from seed gradients (value id -> dLoss/dValue, same size as the value). Returns the gradients
   * of every trainable variable's value (and the inputs' with inputGrads). Seed arrays may be overwritten.
   */
  backward(seeds: ReadonlyMap<number, Float32Array>): Map<number, Float32Array> {
    const grads: (Float32Array | undefined)[] = new Array(this.tg.graph.values.length);
    for (const [id, g] of seeds) {
      const t = this.values[id];
      if (!t) throw new InternalError(`seed for value ${id}, which the last forward did not compute`);
      if (g.length !== sizeOf(t.shape)) throw new InternalError(`seed for value ${id} has ${g.length} values, the value has ${sizeOf(t.shape)}`);
      grads[id] = g;
    }
    for (let k = this.tape.length - 1; k >= 0; k--) {
      const { node, inputs, fwd, ctx } = this.tape[k];
      const dys = node.outputs.map((o) => grads[o]);
      if (dys.every((d) => d === undefined)) continue;
      const needs = node.inputs.map((i) => this.requiresGrad[i]);
      if (!needs.some((x) => x)) continue;
      // An output with no gradient (not on the path to the loss) contributes zeros.
      const full = dys.map((d, i) => d ?? this.ws.zeros(`${ctx.key}:zero${i}`, fwd.outputs[i].data.length));
      const dxs = gradOf(node.op as never).backward(full, inputs, fwd, node.attrs as never, needs, ctx);
      node.inputs.forEach((id, i) => {
        const d = dxs[i];
        if (!d || !needs[i]) return;
        const have = grads[id];
        if (!have) grads[id] = d;
        else for (let j = 0; j < have.length; j++) have[j] += d[j];
      });
    }
    const out = new Map<number, Float32Array>();
    for (const [id, v] of this.tg.variables) {
      if (!v.trainable) continue;
      out.set(id, grads[id] ?? new Float32Array(v.data.length));
    }
    if (this.opts.inputGrads) for (const id of this.tg.graph.inputs) out.set(id, grads[id] ?? new Float32Array(sizeOf(this.values[id]?.shape ?? [0])));
    return out;
  }
}
