// layernorm reference vs tf.layers.layerNormalization with the same gamma/beta (set via setWeights).
// Tolerance: atol 2e-5, rtol 1e-4 (TF.js computes moments in float32; ours two-pass float64).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { layernorm } from '../../src/ops/layernorm.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

const TOL = { atol: 2e-5, rtol: 1e-4 };

function tfLayerNorm(x: { shape: number[]; data: Float32Array }, axes: number[], epsilon: number, gamma: { shape: number[]; data: Float32Array }, beta: { shape: number[]; data: Float32Array }) {
  const layer = tf.layers.layerNormalization({ axis: [...axes], epsilon });
  layer.build(x.shape);
  layer.setWeights([toTf(gamma), toTf(beta)]);
  return fromTf(layer.apply(toTf(x)) as tf.Tensor);
}

test('layernorm matches tf.layers.layerNormalization on random shapes and axis sets', async () => {
  await setupTf();
  const r = rng(6);
  for (let c = 0; c < 40; c++) {
    const rank = 2 + Math.floor(r() * 3);
    const shape = Array.from({ length: rank }, () => [1, 2, 3, 5, 8][Math.floor(r() * 5)]);
    // Axes among 1..rank-1, in increasing order (unsorted lists are covered below).
    let axes = [...Array(rank).keys()].slice(1).filter(() => r() < 0.5);
    if (axes.length === 0) axes = [rank - 1];
    if (c % 3 === 0) axes = axes.map((a) => a - rank);
    const paramShape = axes.map((a) => shape[a < 0 ? a + rank : a]);
    const x = randTensor(shape, 1100 + c, -5, 5);
    if (c % 7 === 0) x.data[0] = NaN;
    const gamma = randTensor(paramShape, 1200 + c, 0.5, 1.5);
    const beta = randTensor(paramShape, 1300 + c, -1, 1);
    const epsilon = [1e-3, 1e-6][c % 2];
    const [y] = layernorm.reference([x, gamma, beta], { axes, epsilon });
    assertClose(y, tfLayerNorm(x, axes, epsilon, gamma, beta), TOL, `layernorm ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`);
  }
});

test('layernorm: unsorted axes read gamma row-major in increasing-axis order (Keras reshape semantics)', async () => {
  await setupTf();
  const x = randTensor([2, 3, 4], 21);
  const gamma = randTensor([4, 3], 22); // shape in the listed order [axis 2, axis 1]
  const beta = randTensor([4, 3], 23);
  const [y] = layernorm.reference([x, gamma, beta], { axes: [2, 1], epsilon: 1e-3 });
  assertClose(y, tfLayerNorm(x, [2, 1], 1e-3, gamma, beta), TOL, 'layernorm axes [2, 1]');
  // Same data viewed as [3, 4] with sorted axes gives the same result.
  const [z] = layernorm.reference([x, { shape: [3, 4], data: gamma.data }, { shape: [3, 4], data: beta.data }], { axes: [1, 2], epsilon: 1e-3 });
  assertClose(y, z, { atol: 0, rtol: 0 }, 'sorted vs unsorted');
});

test('layernorm uses the biased variance and stays finite on constant rows', () => {
  const ones = { shape: [4], data: Float32Array.from([1, 1, 1, 1]) };
  const zeros = { shape: [4], data: new Float32Array(4) };
  const [y] = layernorm.reference([{ shape: [2, 4], data: Float32Array.from([1, 2, 3, 4, 7, 7, 7, 7]) }, ones, zeros], { axes: [-1], epsilon: 0 });
  const sd = Math.sqrt(1.25); // biased variance of 1..4
  assertClose({ shape: [4], data: y.data.slice(0, 4) }, { shape: [4], data: Float32Array.from([-1.5, -0.5, 0.5, 1.5].map((v) => v / sd)) }, { atol: 1e-7, rtol: 1e-6 }, 'biased');
  // A constant row: 0 / sqrt(0 + 0) is NaN with epsilon 0, and 0 with any epsilon > 0.
  assert.ok(y.data.slice(4).every(Number.isNaN));
  const [z] = layernorm.reference([{ shape: [1, 4], data: Float32Array.from([7, 7, 7, 7]) }, ones, zeros], { axes: [1], epsilon: 1e-3 });
  assert.deepEqual(Array.from(z.data), [0, 0, 0, 0]);
  const [e] = layernorm.reference([{ shape: [0, 4], data: new Float32Array(0) }, ones, zeros], { axes: [1], epsilon: 1e-3 });
  assert.deepEqual(e.shape, [0, 4]);
});

test('layernorm inferShape: params must match x on the axes; the batch cannot be normalised', () => {
  assert.deepEqual(layernorm.inferShape([[-1, 10, 16], [16], [16]], { axes: [-1], epsilon: 1e-3 }), [[-1, 10, 16]]);
  assert.deepEqual(layernorm.inferShape([[-1, 10, 16], [10, 16], [10, 16]], { axes: [1, 2], epsilon: 1e-3 }), [[-1, 10, 16]]);
  const bad = (shapes: number[][], axes: number[]) =>
    assert.throws(() => layernorm.inferShape(shapes, { axes, epsilon: 1e-3 }), (e: unknown) => e instanceof ShapeError && e.op === 'layernorm');
  bad([[-1, 10, 16], [10], [16]], [-1]);
  bad([[-1, 10, 16], [160], [160]], [1, 2]);
  bad([[-1, 10], [10], [10]], [2]);
  bad([[-1, 10], [10], [10]], [1, -1]);
  bad([[-1, 10], [], []], []);
  bad([[-1, 10], [-1], [-1]], [0]);
});
