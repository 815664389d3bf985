// depthwise_conv2d reference vs TF.js tf.depthwiseConv2d (explicit pads, or 'same'/'valid' strings). Stride > 1
// together with dilation > 1 (which TF.js refuses) is a stride-1 dilated conv subsampled with tf.stridedSlice.
// Tolerance: see assertClose (1e-4 relative; NaN/Inf must match exactly).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { LINEAR } from '../../src/ops/activation-fns.js';
import { depthwiseConv2d, type DepthwiseConv2dAttrs } from '../../src/ops/depthwise-conv2d.js';
import { computePads } from '../../src/ops/padding.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, pick, randInt, randomWindow, sprinkleSpecials, tf, tfWindowed, TEST_ACTIVATIONS, toTf, useCpu, type PadMode } from './tf-oracle.js';

function tfDepthwise(x: Tensor, w: Tensor, b: Tensor | undefined, a: DepthwiseConv2dAttrs, mode: PadMode): tf.Tensor {
  return tfWindowed(a, mode, b, (strides, pad, dilations) => tf.depthwiseConv2d(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, strides, pad, 'NHWC', dilations));
}

interface Case {
  x: Tensor;
  w: Tensor;
  b?: Tensor;
  attrs: DepthwiseConv2dAttrs;
  mode: PadMode;
}

function randomCase(r: () => number, seed: number): Case {
  for (;;) {
    const [N, H, W, C, M] = [randInt(r, 1, 2), randInt(r, 1, 9), randInt(r, 1, 9), randInt(r, 1, 4), randInt(r, 1, 3)];
    const win = randomWindow(r, H, W);
    if (!win) continue;
    const { kernel: [kh, kw], strides, dilations, mode, pads } = win;
    const x = randTensor([N, H, W, C], seed);
    const w = randTensor([kh, kw, C, M], seed + 1);
    const b = r() < 0.5 ? randTensor([C * M], seed + 2) : undefined;
    return { x, w, b, mode, attrs: { strides, dilations, pads, activation: pick(r, TEST_ACTIVATIONS) } };
  }
}

function describe(c: Case): string {
  return `x [${c.x.shape}] w [${c.w.shape}] ${c.mode} ${JSON.stringify(c.attrs)}`;
}

test('depthwise_conv2d: random shapes, multipliers, strides 1-3, dilations 1-2, same/valid/explicit vs tf.depthwiseConv2d', async () => {
  await useCpu();
  const r = rng(4321);
  for (let i = 0; i < 80; i++) {
    const c = randomCase(r, 2000 + i * 7);
    const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
    const [got] = depthwiseConv2d.reference(inputs, c.attrs);
    assert.deepEqual(depthwiseConv2d.inferShape(inputs.map((t) => t.shape), c.attrs)[0], got.shape, describe(c));
    assertClose(got, tfDepthwise(c.x, c.w, c.b, c.attrs, c.mode), describe(c));
  }
});

test('depthwise_conv2d: NaN and +-Inf inputs propagate as in tf.depthwiseConv2d', async () => {
  await useCpu();
  const r = rng(77);
  for (let i = 0; i < 20; i++) {
    const c = randomCase(r, 6000 + i * 7);
    sprinkleSpecials(c.x, r, 1 + (i % 4));
    const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
    assertClose(depthwiseConv2d.reference(inputs, c.attrs)[0], tfDepthwise(c.x, c.w, c.b, c.attrs, c.mode), describe(c));
  }
});

test('depthwise_conv2d: output channel c * multiplier + m reads input channel c', () => {
  // 1x1 kernel, no padding: y[..., c * M + m] = x[..., c] * w[0, 0, c, m].
  const x = tensor([1, 1, 1, 2], [10, 100]);
  const w = tensor([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
  const [y] = depthwiseConv2d.reference([x, w], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], activation: LINEAR });
  assert.deepEqual([...y.data], [10, 20, 30, 400, 500, 600]);
});

test('depthwise_conv2d: zero sizes give empty outputs', () => {
  const attrs: DepthwiseConv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: LINEAR };
  let [y] = depthwiseConv2d.reference([tensor([0, 5, 5, 3]), randTensor([3, 3, 3, 2], 1)], attrs);
  assert.deepEqual(y.shape, [0, 5, 5, 6]);
  [y] = depthwiseConv2d.reference([tensor([2, 4, 4, 0]), tensor([3, 3, 0, 2]), tensor([0])], attrs);
  assert.deepEqual(y.shape, [2, 4, 4, 0]);
  [y] = depthwiseConv2d.reference([randTensor([1, 4, 4, 2], 2), tensor([3, 3, 2, 0])], attrs);
  assert.deepEqual(y.shape, [1, 4, 4, 0]);
  const same: DepthwiseConv2dAttrs = { ...attrs, strides: [2, 2], pads: [...computePads('same', 0, 3, 2), ...computePads('same', 5, 3, 2)] };
  [y] = depthwiseConv2d.reference([tensor([1, 0, 5, 2]), randTensor([3, 3, 2, 1], 3)], same);
  assert.deepEqual(y.shape, [1, 0, 3, 2]);
});

test('depthwise_conv2d: inferShape carries the symbolic batch and rejects bad shapes with ShapeError', () => {
  const a: DepthwiseConv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: LINEAR };
  assert.deepEqual(depthwiseConv2d.inferShape([[-1, 8, 8, 3], [3, 3, 3, 2]], a), [[-1, 8, 8, 6]]);
  assert.deepEqual(depthwiseConv2d.inferShape([[-1, 8, 8, 3], [3, 3, 3, 1], [3]], { ...a, strides: [2, 2] }), [[-1, 4, 4, 3]]);
  const bad: [string, () => unknown][] = [
    ['channel mismatch', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [3, 3, 4, 1]], a)],
    ['kernel larger than the padded input', () => depthwiseConv2d.inferShape([[1, 8, 2, 3], [3, 5, 3, 1]], a)],
    ['stride 0', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 1]], { ...a, strides: [1, 0] })],
    ['dilation 0', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 1]], { ...a, dilations: [0, 1] })],
    ['negative pad', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 1]], { ...a, pads: [-1, 1, 1, 1] })],
    ['bias size', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 2], [3]], a)],
    ['rank-3 kernel', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [3, 3, 3]], a)],
    ['symbolic kernel dim', () => depthwiseConv2d.inferShape([[1, 8, 8, 3], [-1, 3, 3, 1]], a)],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'depthwise_conv2d', what);
});

test('depthwise_conv2d: cost counts multiply-adds', () => {
  const a: DepthwiseConv2dAttrs = { strides: [2, 2], dilations: [1, 1], pads: [0, 1, 0, 1], activation: LINEAR };
  // out [2, 4, 4, 6]: each output is 3 * 3 taps.
  assert.equal(depthwiseConv2d.cost!([[2, 8, 8, 3], [3, 3, 3, 2]], a), 2 * 16 * 6 * 9);
});
