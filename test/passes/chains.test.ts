// Passes on chains of foldable patterns: each pass must re-read nodes an earlier edit in the same pass
// rewired. Every case is checked with verify() after every pass and against the unoptimised graph.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { referenceBackend } from '../../src/kernels/js/backend.js';
import { optimize } from '../../src/passes/pipeline.js';
import { Session } from '../../src/runtime/session.js';
import { randTensor } from '../helpers/rand.js';

const lin = { fn: 'linear' } as const;
let seed = 100;
const c = (b: GraphBuilder, shape: number[], lo = -1, hi = 1) => {
  const t = randTensor(shape, seed++, lo, hi);
  return b.constant(`c${seed}`, shape, t.data);
};

function check(name: string, make: () => Graph, expectOps: string[]) {
  test(name, () => {
    const g = make();
    const { graph } = optimize(g, { verifyEach: true });
    assert.deepEqual(graph.nodes.map((n) => n.op), expectOps);
    const before = new Session(g, referenceBackend);
    const after = new Session(graph, referenceBackend);
    const x = randTensor([before.inputSizes[0]], 7).data;
    const want = Float32Array.from(before.predict(x));
    const got = after.predict(x);
    want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) <= 1e-5 * (1 + Math.abs(v)), `[${i}] ${got[i]} vs ${v}`));
  });
}

const bn = (b: GraphBuilder, x: number, n: number, name: string) =>
  b.add1('batchnorm', [x, c(b, [n]), c(b, [n]), c(b, [n]), c(b, [n], 0.5, 2)], { axis: -1, epsilon: 1e-3 }, { name });

check('two batchnorms in a row lower to multiply-adds', () => {
  const b = new GraphBuilder();
  const x = b.input('x', [-1, 4]);
  b.setOutputs([bn(b, bn(b, x, 4, 'bn1'), 4, 'bn2')]);
  return b.finish();
}, ['binary', 'binary', 'binary', 'binary']);

check('dense+add into dense+add: both adds become biases', () => {
  const b = new GraphBuilder();
  let h = b.input('x', [-1, 5]);
  for (const k of [1, 2]) {
    h = b.add1('dense', [h, c(b, [5, 5])], { activation: lin }, { name: `mm${k}` });
    h = b.add1('binary', [h, c(b, [5])], { fn: 'add' }, { name: `add${k}` });
  }
  b.setOutputs([h]);
  return b.finish();
}, ['dense', 'dense']);

check('conv+bn into conv+bn: both batchnorms fold', () => {
  const b = new GraphBuilder();
  let h = b.input('x', [-1, 6, 6, 2]);
  const attrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: lin } as const;
  h = b.add1('conv2d', [h, c(b, [3, 3, 2, 3])], attrs, { name: 'conv1' });
  h = bn(b, h, 3, 'bn1');
  h = b.add1('conv2d', [h, c(b, [3, 3, 3, 3]), c(b, [3])], attrs, { name: 'conv2' });
  h = bn(b, h, 3, 'bn2');
  b.setOutputs([h]);
  return b.finish();
}, ['conv2d', 'conv2d']);

check('three transposes compose into one', () => {
  const b = new GraphBuilder();
  let h = b.input('x', [-1, 2, 3, 4]);
  for (const [k, perm] of [[0, 2, 3, 1], [0, 2, 1, 3], [0, 1, 3, 2]].entries()) h = b.add1('transpose', [h], { perm }, { name: `t${k}` });
  b.setOutputs([h]);
  return b.finish();
}, ['transpose']);
