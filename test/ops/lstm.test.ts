// lstm reference vs tf.layers.lstm with the same random weights (gate order i, f, c, o in both), every
// returnSequences x goBackwards combination, sigmoid and old-style hard_sigmoid recurrent activations, with and
// without bias. Tolerance: atol 2e-5, rtol 1e-4.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { lstm } from '../../src/ops/lstm.js';
import { randTensor } from '../helpers/rand.js';
import { assertClose, setupTf } from '../helpers/tf-oracle.js';
import { runTfRnn } from '../helpers/tf-rnn.js';

const TOL = { atol: 2e-5, rtol: 1e-4 };
const SIZES = [
  [3, 5, 4, 6],
  [1, 1, 1, 1],
  [2, 7, 3, 5],
];
const RECURRENT: Activation[] = [{ fn: 'sigmoid' }, { fn: 'hard_sigmoid', alpha: 0.2, beta: 0.5 }];

test('lstm matches tf.layers.lstm', async () => {
  await setupTf();
  let seed = 3000;
  for (const [N, T, F, U] of SIZES) {
    for (const recurrentActivation of RECURRENT) {
      for (const returnSequences of [false, true]) {
        for (const goBackwards of [false, true]) {
          const useBias = (seed & 1) === 0;
          const x = randTensor([N, T, F], seed++, -2, 2);
          const weights = [randTensor([F, 4 * U], seed++, -0.8, 0.8), randTensor([U, 4 * U], seed++, -0.8, 0.8)];
          if (useBias) weights.push(randTensor([4 * U], seed++, -0.5, 0.5));
          const attrs = { activation: { fn: 'tanh' } as Activation, recurrentActivation, returnSequences, goBackwards };
          const [y] = lstm.reference([x, ...weights], attrs);
          const what = `lstm ${[N, T, F, U]} ${recurrentActivation.fn} seq ${returnSequences} back ${goBackwards} bias ${useBias}`;
          assertClose(y, runTfRnn('lstm', x, weights, { units: U, ...attrs }), TOL, what);
          assert.deepEqual(lstm.inferShape([x.shape, ...weights.map((w) => w.shape)], attrs)[0], y.shape);
        }
      }
    }
  }
});

test('lstm gate order i, f, c, o by hand (one unit, one step)', () => {
  // x = 1, W = [zi, zf, zc, zo], U unused at t=0 (h0 = 0), linear activations so the gates are visible.
  const lin: Activation = { fn: 'linear' };
  const W = { shape: [1, 4], data: Float32Array.from([2, 3, 5, 7]) };
  const Ur = { shape: [1, 4], data: new Float32Array(4) };
  const [y] = lstm.reference([{ shape: [1, 1, 1], data: Float32Array.from([1]) }, W, Ur], { activation: lin, recurrentActivation: lin, returnSequences: false, goBackwards: false });
  // c = f*0 + i*c~ = 2*5 = 10; h = o * c = 70.
  assert.deepEqual(Array.from(y.data), [70]);
});

test('lstm edge sizes and inferShape', () => {
  const attrs = { activation: { fn: 'tanh' } as Activation, recurrentActivation: { fn: 'sigmoid' } as Activation, returnSequences: true, goBackwards: true };
  const w = [randTensor([3, 8], 1), randTensor([2, 8], 2), randTensor([8], 3)];
  assert.deepEqual(lstm.reference([{ shape: [2, 0, 3], data: new Float32Array(0) }, ...w], attrs)[0].shape, [2, 0, 2]);
  assert.deepEqual(lstm.reference([{ shape: [2, 0, 3], data: new Float32Array(0) }, ...w], { ...attrs, returnSequences: false })[0], { shape: [2, 2], data: new Float32Array(4) });
  assert.deepEqual(lstm.inferShape([[-1, 10, 3], [3, 8], [2, 8], [8]], attrs), [[-1, 10, 2]]);
  const bad = (shapes: number[][]) => assert.throws(() => lstm.inferShape(shapes, attrs), (e: unknown) => e instanceof ShapeError && e.op === 'lstm');
  bad([[-1, 10, 3], [3, 6], [2, 6]]);
  bad([[-1, 10, 3], [3, 8], [2, 8], [6]]);
  bad([[-1, 10, 3], [4, 8], [2, 8]]);
  assert.equal(lstm.cost?.([[1, 10, 3], [3, 8], [2, 8]], attrs), 10 * (3 + 2) * 8);
});
