// Gradient-check harness for one op: builds a one-node graph (input 0 a graph input, the others variables),
// runs the training executor forward/backward with a random linear loss sum(y * r), and compares the
// gradients with central finite differences (float64 loss over the float32 forward) and with TF.js's
// tf.grads of the same computation.

import assert from 'node:assert/strict';
import type * as Tfjs from '@tensorflow/tfjs';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { AttrsOf, OpKind } from '../../src/ops/registry.js';
import { Executor, type TrainGraph } from '../../src/train/executor.js';
import type { TrainingBehaviour } from '../../src/train/grads/types.js';
import { jsKernels } from '../../src/train/kernels/js.js';
import type { TrainKernels } from '../../src/train/kernels/types.js';
import { Variable } from '../../src/train/variable.js';
import { rng } from '../helpers/rand.js';
import { tf } from '../ops/tf-oracle.js';

export interface OpCase<K extends OpKind> {
  readonly op: K;
  readonly attrs: AttrsOf<K>;
  /** inputs[0] is the graph input; the rest become trainable variables. */
  readonly inputs: readonly Tensor[];
  /** Inputs that get no gradient (e.g. batchnorm moving statistics): constants. */
  readonly constant?: readonly number[];
  /** The graph input is not differentiable (embedding indices): skip its check. */
  readonly discreteInput?: boolean;
  readonly behaviour?: TrainingBehaviour;
  readonly training?: boolean;
  readonly kernels?: TrainKernels;
}

export interface Grads {
  readonly y: Tensor;
  /** One per input; undefined for constants. */
  readonly grads: (Float32Array | undefined)[];
  readonly seed: Float32Array;
}

function build<K extends OpKind>(c: OpCase<K>): { tg: TrainGraph; vars: (Variable | undefined)[] } {
  const b = new GraphBuilder();
  const x = b.input('x', c.inputs[0].shape);
  const variables = new Map<number, Variable>();
  const vars: (Variable | undefined)[] = [undefined];
  const ids = [x];
  c.inputs.slice(1).forEach((t, i) => {
    const isConst = c.constant?.includes(i + 1) ?? false;
    const v = new Variable(`w${i + 1}`, t.shape, t.data.slice(), !isConst);
    const id = b.constant(`w${i + 1}`, t.shape, v.data);
    variables.set(id, v);
    vars.push(isConst ? undefined : v);
    ids.push(id);
  });
  const y = b.add1(c.op, ids, c.attrs, { name: 'op' });
  b.setOutputs([y]);
  const graph = b.finish();
  const behaviours = new Map<number, TrainingBehaviour>();
  if (c.behaviour) behaviours.set(graph.nodes[0].id, c.behaviour);
  return { tg: { graph, variables, behaviours }, vars };
}

/** Analytic gradients of sum(y * r) with r ~ U(-1, 1) (seeded). */
export function analytic<K extends OpKind>(c: OpCase<K>, seed = 7): Grads {
  const { tg, vars } = build(c);
  let r = rng(1234);
  const exec = new Executor(tg, { kernels: c.kernels ?? jsKernels, random: () => r(), inputGrads: true });
  r = rng(1234);
  const [y] = exec.forward([c.inputs[0]], c.training ?? false);
  const yCopy = tensor(y.shape, y.data.slice());
  const rr = rng(seed);
  const s = new Float32Array(y.data.length).map(() => 2 * rr() - 1);
  const g = exec.backward(new Map([[tg.graph.outputs[0], s.slice()]]));
  const grads = c.inputs.map((_, i) => {
    if (i === 0) return g.get(tg.graph.inputs[0])?.slice();
    const v = vars[i];
    if (!v) return undefined;
    for (const [id, vv] of tg.variables) if (vv === v) return g.get(id)?.slice();
    return undefined;
  });
  return { y: yCopy, grads, seed: s };
}

/** Central finite differences of sum(y * r) for up to `maxPerInput` elements of each input. */
export function numeric<K extends OpKind>(c: OpCase<K>, seedArr: Float32Array, eps: number, maxPerInput = 40): (Map<number, number> | undefined)[] {
  const loss = (inputs: Tensor[]): number => {
    const { tg } = build({ ...c, inputs });
    const r = rng(1234);
    const exec = new Executor(tg, { kernels: c.kernels ?? jsKernels, random: () => r() });
    const [y] = exec.forward([inputs[0]], c.training ?? false);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * seedArr[i];
    return s;
  };
  return c.inputs.map((t, k) => {
    if (k > 0 && c.constant?.includes(k)) return undefined;
    if (k === 0 && c.discreteInput) return undefined;
    const out = new Map<number, number>();
    const pick = rng(99 + k);
    const idx = t.data.length <= maxPerInput ? [...t.data.keys()] : Array.from({ length: maxPerInput }, () => Math.floor(pick() * t.data.length));
    for (const i of idx) {
      const plus = c.inputs.map((u) => tensor(u.shape, u.data.slice()));
      const minus = c.inputs.map((u) => tensor(u.shape, u.data.slice()));
      plus[k].data[i] += eps;
      minus[k].data[i] -= eps;
      const h = plus[k].data[i] - minus[k].data[i];
      out.set(i, (loss(plus) - loss(minus)) / h);
    }
    return out;
  });
}

/** Asserts analytic gradients agree with finite differences: |a - n| <= atol + rtol |n|. */
export function checkFiniteDifferences<K extends OpKind>(c: OpCase<K>, what: string, opts: { eps?: number; atol?: number; rtol?: number } = {}): Grads {
  const a = analytic(c);
  const num = numeric(c, a.seed, opts.eps ?? 1e-2);
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 1e-2;
  num.forEach((m, k) => {
    if (!m) return;
    const g = a.grads[k];
    assert.ok(g, `${what}: no analytic gradient for input ${k}`);
    for (const [i, n] of m) {
      const v: number = g[i];
      if (Math.abs(v - n) > atol + rtol * Math.abs(n)) assert.fail(`${what}: d/d input ${k}[${i}]: analytic ${v}, finite difference ${n}`);
    }
  });
  return a;
}

/**
 * Asserts analytic gradients agree with TF.js: `f` builds the op from tf tensors of the inputs;
 * tf.grads of sum(f(...) * r) is compared for every non-constant input.
 */
export function checkTfjs<K extends OpKind>(c: OpCase<K>, f: (xs: Tfjs.Tensor[]) => Tfjs.Tensor, what: string, tol = 1e-4): void {
  const a = analytic(c);
  const inputs = c.inputs.map((t) => tf.tensor(t.data, [...t.shape], 'float32'));
  const r = tf.tensor(a.seed, [...a.y.shape], 'float32');
  const yTf = f(inputs);
  const yd = yTf.dataSync();
  for (let i = 0; i < yd.length; i++) {
    if (Math.abs(yd[i] - a.y.data[i]) > tol * (1 + Math.abs(yd[i]))) assert.fail(`${what}: forward element ${i}: ours ${a.y.data[i]}, TF.js ${yd[i]}`);
  }
  const live = c.inputs.map((_, k) => k).filter((k) => !(c.constant?.includes(k) ?? false));
  const gradFn = tf.grads((...xs: Tfjs.Tensor[]) => {
    const all = [...inputs];
    live.forEach((k, j) => {
      all[k] = xs[j];
    });
    return tf.sum(tf.mul(f(all), r));
  });
  const tg = gradFn(live.map((k) => inputs[k]));
  tg.forEach((gt, j) => {
    const k = live[j];
    const g = a.grads[k];
    if (!g) return;
    const want = gt.dataSync();
    assert.equal(g.length, want.length, `${what}: gradient ${k} size`);
    for (let i = 0; i < want.length; i++) {
      if (Math.abs(g[i] - want[i]) > tol * (1 + Math.abs(want[i]))) assert.fail(`${what}: d/d input ${k}[${i}]: ours ${g[i]}, TF.js ${want[i]}`);
    }
  });
  tf.dispose([...inputs, r, yTf, ...tg]);
}

