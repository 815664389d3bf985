// gru reference vs TF.js, both reset_after variants, every returnSequences x goBackwards combination.
// reset_after=false: tf.layers.gru (TF.js supports only this variant). reset_after=true: a step loop written here
// with TF.js ops after Keras 3's GRUCell.call (keras/src/layers/rnn/gru.py); the same loop in reset_after=false
// mode is first checked against tf.layers.gru, so its plumbing (time order, go_backwards, sequences) is trusted.
// Tolerance: atol 2e-5, rtol 1e-4.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { gru, type GruAttrs } from '../../src/ops/gru.js';
import { randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';
import { runTfRnn } from '../helpers/tf-rnn.js';

const TOL = { atol: 2e-5, rtol: 1e-4 };
const SIZES = [
  [3, 5, 4, 6],
  [1, 1, 1, 1],
  [2, 7, 3, 5],
];
const RECURRENT: Activation[] = [{ fn: 'sigmoid' }, { fn: 'hard_sigmoid', alpha: 0.2, beta: 0.5 }];

function tfAct(a: Activation): (t: tf.Tensor) => tf.Tensor {
  if (a.fn === 'tanh') return tf.tanh;
  if (a.fn === 'sigmoid') return tf.sigmoid;
  if (a.fn === 'hard_sigmoid') return (t) => tf.clipByValue(tf.add(tf.mul(t, a.alpha ?? 0.2), a.beta ?? 0.5), 0, 1);
  throw new Error(`unsupported ${a.fn}`);
}

/** Keras GRUCell (implementation 2) unrolled over time with TF.js ops, batched over N. */
function gruByHand([x, w, u, b]: readonly Tensor[], attrs: GruAttrs): Tensor {
  const [N, T, F] = x.shape;
  const U = u.shape[0];
  const act = tfAct(attrs.activation);
  const ra = tfAct(attrs.recurrentActivation);
  const W = toTf(w);
  const R = toTf(u);
  let bx: tf.Tensor = tf.zeros([3 * U]);
  let bh: tf.Tensor = tf.zeros([3 * U]);
  if (b) {
    if (attrs.resetAfter) [bx, bh] = tf.unstack(toTf(b));
    else bx = toTf(b);
  }
  const xs = attrs.goBackwards ? tf.reverse(toTf(x), 1) : toTf(x);
  let h: tf.Tensor = tf.zeros([N, U]);
  const outs: tf.Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const xt = tf.reshape(tf.slice(xs, [0, s, 0], [N, 1, F]), [N, F]);
    const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, W), bx), 3, 1);
    let hh: tf.Tensor;
    if (attrs.resetAfter) {
      const [rz, rr, rh] = tf.split(tf.add(tf.matMul(h, R), bh), 3, 1);
      const z = ra(tf.add(xz, rz));
      const r = ra(tf.add(xr, rr));
      hh = act(tf.add(xh, tf.mul(r, rh)));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    } else {
      const [rz, rr] = tf.split(tf.matMul(h, tf.slice(R, [0, 0], [U, 2 * U])), 2, 1);
      const z = ra(tf.add(xz, rz));
      const r = ra(tf.add(xr, rr));
      hh = act(tf.add(xh, tf.matMul(tf.mul(r, h), tf.slice(R, [0, 2 * U], [U, U]))));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    }
    outs.push(h);
  }
  if (attrs.returnSequences) return T === 0 ? { shape: [N, 0, U], data: new Float32Array(0) } : fromTf(tf.stack(outs, 1));
  return fromTf(h);
}

function* cases(resetAfter: boolean): Generator<{ inputs: Tensor[]; attrs: GruAttrs; what: string }> {
  let seed = resetAfter ? 4000 : 5000;
  for (const [N, T, F, U] of SIZES) {
    for (const recurrentActivation of RECURRENT) {
      for (const returnSequences of [false, true]) {
        for (const goBackwards of [false, true]) {
          const useBias = (seed & 1) === 0;
          const x = randTensor([N, T, F], seed++, -2, 2);
          const inputs = [x, randTensor([F, 3 * U], seed++, -0.8, 0.8), randTensor([U, 3 * U], seed++, -0.8, 0.8)];
          if (useBias) inputs.push(randTensor(resetAfter ? [2, 3 * U] : [3 * U], seed++, -0.5, 0.5));
          const attrs: GruAttrs = { activation: { fn: 'tanh' }, recurrentActivation, returnSequences, goBackwards, resetAfter };
          yield { inputs, attrs, what: `gru ${[N, T, F, U]} ${recurrentActivation.fn} seq ${returnSequences} back ${goBackwards} bias ${useBias} resetAfter ${resetAfter}` };
        }
      }
    }
  }
}

test('gru reset_after=false matches tf.layers.gru (and the hand-built loop matches it too)', async () => {
  await setupTf();
  for (const { inputs, attrs, what } of cases(false)) {
    const [y] = gru.reference(inputs, attrs);
    const layer = runTfRnn('gru', inputs[0], inputs.slice(1), { units: inputs[2].shape[0], ...attrs });
    assertClose(y, layer, TOL, what);
    assertClose(gruByHand(inputs, attrs), layer, TOL, `${what} (hand-built oracle)`);
    assert.deepEqual(gru.inferShape(inputs.map((t) => t.shape), attrs)[0], y.shape);
  }
});

test('gru reset_after=true matches Keras GRUCell written with TF.js ops', async () => {
  await setupTf();
  for (const { inputs, attrs, what } of cases(true)) {
    const [y] = gru.reference(inputs, attrs);
    assertClose(y, gruByHand(inputs, attrs), TOL, what);
    assert.deepEqual(gru.inferShape(inputs.map((t) => t.shape), attrs)[0], y.shape);
  }
});

test('gru: the two variants really differ, and the recurrent bias row matters only with reset_after', () => {
  const x = randTensor([2, 4, 3], 1);
  const w = randTensor([3, 6], 2);
  const u = randTensor([2, 6], 3);
  const attrs: GruAttrs = { activation: { fn: 'tanh' }, recurrentActivation: { fn: 'sigmoid' }, returnSequences: true, goBackwards: false, resetAfter: true };
  const [after] = gru.reference([x, w, u], attrs);
  const [before] = gru.reference([x, w, u], { ...attrs, resetAfter: false });
  assert.notDeepEqual(after.data, before.data);
  // An all-zero [2, 3U] bias equals no bias; a recurrent bias on the h gate (row 1) changes the output.
  const [zeroBias] = gru.reference([x, w, u, { shape: [2, 6], data: new Float32Array(12) }], attrs);
  assert.deepEqual(zeroBias, after);
  const bh = new Float32Array(12);
  bh[6 + 4] = 1; // recurrent bias of the h gate, unit 0
  const [shifted] = gru.reference([x, w, u, { shape: [2, 6], data: bh }], attrs);
  assert.notDeepEqual(shifted.data, after.data);
});

test('gru edge sizes and inferShape (bias shape depends on reset_after)', () => {
  const attrs: GruAttrs = { activation: { fn: 'tanh' }, recurrentActivation: { fn: 'sigmoid' }, returnSequences: false, goBackwards: true, resetAfter: true };
  const w = [randTensor([3, 6], 1), randTensor([2, 6], 2), randTensor([2, 6], 3)];
  assert.deepEqual(gru.reference([{ shape: [2, 0, 3], data: new Float32Array(0) }, ...w], attrs)[0], { shape: [2, 2], data: new Float32Array(4) });
  assert.deepEqual(gru.reference([{ shape: [0, 5, 3], data: new Float32Array(0) }, ...w], { ...attrs, returnSequences: true })[0].shape, [0, 5, 2]);
  assert.deepEqual(gru.inferShape([[-1, 9, 3], [3, 6], [2, 6], [2, 6]], attrs), [[-1, 2]]);
  assert.deepEqual(gru.inferShape([[-1, 9, 3], [3, 6], [2, 6], [6]], { ...attrs, resetAfter: false }), [[-1, 2]]);
  const bad = (shapes: number[][], resetAfter: boolean) =>
    assert.throws(() => gru.inferShape(shapes, { ...attrs, resetAfter }), (e: unknown) => e instanceof ShapeError && e.op === 'gru');
  bad([[-1, 9, 3], [3, 6], [2, 6], [6]], true);
  bad([[-1, 9, 3], [3, 6], [2, 6], [2, 6]], false);
  bad([[-1, 9, 3], [3, 6], [2, 4]], false);
  assert.equal(gru.cost?.([[1, 9, 3], [3, 6], [2, 6]], attrs), 9 * (3 + 2) * 6);
});
