// simple_rnn reference vs tf.layers.simpleRNN with the same random weights, every returnSequences x goBackwards
// combination, with and without bias. Tolerance: atol 2e-5, rtol 1e-4 (float32 state vs TF.js's float32 ops).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { simpleRnn } from '../../src/ops/simple-rnn.js';
import { randTensor } from '../helpers/rand.js';
import { assertClose, setupTf } from '../helpers/tf-oracle.js';
import { runTfRnn } from '../helpers/tf-rnn.js';

const TOL = { atol: 2e-5, rtol: 1e-4 };
// [N, T, F, U]
const SIZES = [
  [3, 5, 4, 6],
  [1, 1, 1, 1],
  [2, 7, 3, 5],
];
const ACTS: Activation[] = [{ fn: 'tanh' }, { fn: 'relu' }];

test('simple_rnn matches tf.layers.simpleRNN', async () => {
  await setupTf();
  let seed = 2000;
  for (const [N, T, F, U] of SIZES) {
    for (const activation of ACTS) {
      for (const returnSequences of [false, true]) {
        for (const goBackwards of [false, true]) {
          const useBias = (seed & 1) === 0;
          const x = randTensor([N, T, F], seed++);
          const weights = [randTensor([F, U], seed++, -0.6, 0.6), randTensor([U, U], seed++, -0.6, 0.6)];
          if (useBias) weights.push(randTensor([U], seed++, -0.3, 0.3));
          const attrs = { activation, returnSequences, goBackwards };
          const [y] = simpleRnn.reference([x, ...weights], attrs);
          const what = `simple_rnn ${[N, T, F, U]} ${activation.fn} seq ${returnSequences} back ${goBackwards} bias ${useBias}`;
          assertClose(y, runTfRnn('simpleRNN', x, weights, { units: U, ...attrs }), TOL, what);
          assert.deepEqual(simpleRnn.inferShape([x.shape, ...weights.map((w) => w.shape)], attrs)[0], y.shape);
        }
      }
    }
  }
});

test('simple_rnn go_backwards emits outputs in processed order', () => {
  const x = randTensor([2, 4, 3], 1);
  const w = [randTensor([3, 2], 2), randTensor([2, 2], 3), randTensor([2], 4)];
  const act: Activation = { fn: 'tanh' };
  const [back] = simpleRnn.reference([x, ...w], { activation: act, returnSequences: true, goBackwards: true });
  // Forward run over the time-reversed input gives the very same sequence.
  const rev = new Float32Array(x.data.length);
  for (let n = 0; n < 2; n++) for (let t = 0; t < 4; t++) rev.set(x.data.subarray((n * 4 + t) * 3, (n * 4 + t + 1) * 3), (n * 4 + 3 - t) * 3);
  const [fwd] = simpleRnn.reference([{ shape: x.shape, data: rev }, ...w], { activation: act, returnSequences: true, goBackwards: false });
  assert.deepEqual(back, fwd);
  const [last] = simpleRnn.reference([x, ...w], { activation: act, returnSequences: false, goBackwards: true });
  assert.deepEqual(Array.from(last.data), [...back.data.subarray(6, 8), ...back.data.subarray(14, 16)]);
});

test('simple_rnn edge sizes: no time steps, empty batch, NaN input', () => {
  const w = [randTensor([3, 2], 2), randTensor([2, 2], 3)];
  const attrs = { activation: { fn: 'tanh' } as Activation, returnSequences: false, goBackwards: false };
  assert.deepEqual(simpleRnn.reference([{ shape: [2, 0, 3], data: new Float32Array(0) }, ...w], attrs)[0], { shape: [2, 2], data: new Float32Array(4) });
  assert.deepEqual(simpleRnn.reference([{ shape: [2, 0, 3], data: new Float32Array(0) }, ...w], { ...attrs, returnSequences: true })[0].shape, [2, 0, 2]);
  assert.deepEqual(simpleRnn.reference([{ shape: [0, 4, 3], data: new Float32Array(0) }, ...w], attrs)[0].shape, [0, 2]);
  const x = randTensor([1, 3, 3], 5);
  x.data[0] = NaN;
  const [y] = simpleRnn.reference([x, ...w], { ...attrs, returnSequences: true });
  assert.ok(y.data.every(Number.isNaN)); // NaN at t=0 flows through the recurrence
});

test('simple_rnn inferShape', () => {
  const attrs = { activation: { fn: 'tanh' } as Activation, returnSequences: false, goBackwards: false };
  assert.deepEqual(simpleRnn.inferShape([[-1, 10, 4], [4, 8], [8, 8], [8]], attrs), [[-1, 8]]);
  assert.deepEqual(simpleRnn.inferShape([[-1, -1, 4], [4, 8], [8, 8]], { ...attrs, returnSequences: true }), [[-1, -1, 8]]);
  const bad = (shapes: number[][]) =>
    assert.throws(() => simpleRnn.inferShape(shapes, attrs), (e: unknown) => e instanceof ShapeError && e.op === 'simple_rnn');
  bad([[-1, 4], [4, 8], [8, 8]]);
  bad([[-1, 10, 5], [4, 8], [8, 8]]);
  bad([[-1, 10, 4], [4, 8], [8, 7]]);
  bad([[-1, 10, 4], [4, 8], [8, 8], [7]]);
  assert.equal(simpleRnn.cost?.([[2, 10, 4], [4, 8], [8, 8]], attrs), 2 * 10 * (4 + 8) * 8);
});
