// conv2d reference vs TF.js tf.conv2d (explicit pads, or 'same'/'valid' strings to cross-check computePads).
// Grouped convs go through a manual split/concat with TF.js; stride > 1 together with dilation > 1 (which TF.js
// refuses) is a stride-1 dilated conv subsampled with tf.stridedSlice. Tolerance: see assertClose (1e-4 rel).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { LINEAR } from '../../src/ops/activation-fns.js';
import { conv2d, type Conv2dAttrs } from '../../src/ops/conv2d.js';
import { computePads } from '../../src/ops/padding.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, pick, randInt, randomWindow, sprinkleSpecials, tf, tfWindowed, TEST_ACTIVATIONS, toTf, useCpu, type PadMode } from './tf-oracle.js';

function tfConv2d(x: Tensor, w: Tensor, b: Tensor | undefined, a: Conv2dAttrs, mode: PadMode): tf.Tensor {
  return tfWindowed(a, mode, b, (strides, pad, dilations) => {
    const xs = tf.split(toTf(x) as tf.Tensor4D, a.groups, 3) as tf.Tensor4D[];
    const ws = tf.split(toTf(w) as tf.Tensor4D, a.groups, 3) as tf.Tensor4D[];
    const parts = xs.map((xi, g) => tf.conv2d(xi, ws[g], strides, pad, 'NHWC', dilations));
    return parts.length === 1 ? parts[0] : tf.concat(parts, 3);
  });
}

interface Case {
  x: Tensor;
  w: Tensor;
  b?: Tensor;
  attrs: Conv2dAttrs;
  mode: PadMode;
}

function randomCase(r: () => number, seed: number): Case {
  for (;;) {
    const groups = pick(r, [1, 1, 1, 2, 3]);
    const cg = randInt(r, 1, 3);
    const cog = randInt(r, 1, 3);
    const [N, H, W] = [randInt(r, 1, 2), randInt(r, 1, 9), randInt(r, 1, 9)];
    const win = randomWindow(r, H, W);
    if (!win) continue;
    const { kernel: [kh, kw], strides, dilations, mode, pads } = win;
    const x = randTensor([N, H, W, cg * groups], seed);
    const w = randTensor([kh, kw, cg, cog * groups], seed + 1);
    const b = r() < 0.5 ? randTensor([cog * groups], seed + 2) : undefined;
    return { x, w, b, mode, attrs: { strides, dilations, pads, groups, activation: pick(r, TEST_ACTIVATIONS) } };
  }
}

function describe(c: Case): string {
  return `x [${c.x.shape}] w [${c.w.shape}] ${c.mode} ${JSON.stringify(c.attrs)}`;
}

test('conv2d: random shapes, strides 1-3, dilations 1-2, same/valid/explicit, groups, bias, activation vs tf.conv2d', async () => {
  await useCpu();
  const r = rng(1234);
  for (let i = 0; i < 80; i++) {
    const c = randomCase(r, 1000 + i * 7);
    const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
    const [got] = conv2d.reference(inputs, c.attrs);
    assert.deepEqual(conv2d.inferShape(inputs.map((t) => t.shape), c.attrs)[0], got.shape, describe(c));
    assertClose(got, tfConv2d(c.x, c.w, c.b, c.attrs, c.mode), describe(c));
  }
});

test('conv2d: NaN and +-Inf inputs propagate as in tf.conv2d', async () => {
  await useCpu();
  const r = rng(99);
  for (let i = 0; i < 20; i++) {
    const c = randomCase(r, 5000 + i * 7);
    sprinkleSpecials(c.x, r, 1 + (i % 4));
    const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
    assertClose(conv2d.reference(inputs, c.attrs)[0], tfConv2d(c.x, c.w, c.b, c.attrs, c.mode), describe(c));
  }
});

test('conv2d: 1x1 kernel on a 1x1 image, and an odd-sized image with an even kernel', async () => {
  await useCpu();
  const attrs: Conv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, activation: LINEAR };
  const x = randTensor([1, 1, 1, 1], 1);
  const w = randTensor([1, 1, 1, 1], 2);
  assertClose(conv2d.reference([x, w], attrs)[0], tfConv2d(x, w, undefined, attrs, 'explicit'), '1x1');
  const x2 = randTensor([1, 7, 5, 3], 3);
  const w2 = randTensor([2, 4, 3, 5], 4);
  const a2: Conv2dAttrs = { ...attrs, strides: [2, 3], pads: [...computePads('same', 7, 2, 2), ...computePads('same', 5, 4, 3)] };
  assertClose(conv2d.reference([x2, w2], a2)[0], tfConv2d(x2, w2, undefined, a2, 'same'), 'odd/even');
});

test('conv2d: zero sizes give empty (or bias-only) outputs', () => {
  const attrs: Conv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { fn: 'relu' } };
  // Zero batch.
  let [y] = conv2d.reference([tensor([0, 5, 5, 3]), randTensor([3, 3, 3, 4], 1)], attrs);
  assert.deepEqual(y.shape, [0, 5, 5, 4]);
  assert.equal(y.data.length, 0);
  // Zero input channels: every output is act(bias).
  const b = tensor([4], [1, -2, 3, -4]);
  [y] = conv2d.reference([tensor([2, 4, 4, 0]), tensor([3, 3, 0, 4]), b], attrs);
  assert.deepEqual(y.shape, [2, 4, 4, 4]);
  for (let i = 0; i < y.data.length; i++) assert.equal(y.data[i], Math.max(0, b.data[i % 4]));
  // Zero input channels in 2 groups.
  [y] = conv2d.reference([tensor([1, 3, 3, 0]), tensor([1, 1, 0, 4])], { ...attrs, pads: [0, 0, 0, 0], groups: 2 });
  assert.deepEqual(y.shape, [1, 3, 3, 4]);
  assert.ok(y.data.every((v) => v === 0));
  // Zero output channels.
  [y] = conv2d.reference([randTensor([1, 4, 4, 2], 2), tensor([3, 3, 2, 0])], attrs);
  assert.deepEqual(y.shape, [1, 4, 4, 0]);
  // Zero height with 'same' pads: empty output, like TF's ceil(0 / stride).
  const same: Conv2dAttrs = { ...attrs, pads: [...computePads('same', 0, 3, 1), ...computePads('same', 4, 3, 1)] };
  [y] = conv2d.reference([tensor([1, 0, 4, 2]), randTensor([3, 3, 2, 5], 3)], same);
  assert.deepEqual(y.shape, [1, 0, 4, 5]);
});

test('conv2d: inferShape carries the symbolic batch and rejects bad shapes with ShapeError', () => {
  const a: Conv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: LINEAR };
  assert.deepEqual(conv2d.inferShape([[-1, 8, 8, 3], [3, 3, 3, 5]], a), [[-1, 8, 8, 5]]);
  assert.deepEqual(conv2d.inferShape([[-1, 8, 8, 3], [3, 3, 3, 5], [5]], { ...a, strides: [2, 2] }), [[-1, 4, 4, 5]]);
  assert.deepEqual(conv2d.inferShape([[-1, 9, 9, 6], [3, 3, 2, 6]], { ...a, groups: 3, dilations: [2, 2], pads: [0, 0, 0, 0] }), [[-1, 5, 5, 6]]);
  const bad: [string, () => unknown][] = [
    ['channel mismatch', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 4, 5]], a)],
    ['channels not divisible by groups', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 1, 4]], { ...a, groups: 2 })],
    ['output channels not divisible by groups', () => conv2d.inferShape([[1, 8, 8, 4], [3, 3, 2, 5]], { ...a, groups: 2 })],
    ['kernel larger than the padded input', () => conv2d.inferShape([[1, 2, 8, 3], [5, 3, 3, 5]], a)],
    ['dilated kernel larger than the padded input', () => conv2d.inferShape([[1, 4, 8, 3], [3, 3, 3, 5]], { ...a, dilations: [3, 1] })],
    ['stride 0', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 5]], { ...a, strides: [0, 1] })],
    ['stride 1.5', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 5]], { ...a, strides: [1.5, 1] })],
    ['dilation 0', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 5]], { ...a, dilations: [1, 0] })],
    ['negative pad', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 5]], { ...a, pads: [1, -1, 1, 1] })],
    ['groups 0', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 5]], { ...a, groups: 0 })],
    ['rank-3 input', () => conv2d.inferShape([[8, 8, 3], [3, 3, 3, 5]], a)],
    ['symbolic non-batch dim', () => conv2d.inferShape([[1, -1, 8, 3], [3, 3, 3, 5]], a)],
    ['empty kernel window', () => conv2d.inferShape([[1, 8, 8, 3], [0, 3, 3, 5]], a)],
    ['bias size', () => conv2d.inferShape([[1, 8, 8, 3], [3, 3, 3, 5], [4]], a)],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'conv2d', what);
  // The reference checks too.
  assertShapeError(() => conv2d.reference([tensor([1, 2, 2, 1]), tensor([3, 3, 1, 1])], { ...a, pads: [0, 0, 0, 0] }), 'conv2d', 'reference');
});

test('conv2d: cost counts multiply-adds', () => {
  const a: Conv2dAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 2, activation: LINEAR };
  // out [1, 5, 5, 6], each output sums 3 * 3 taps x 2 channels of its group.
  assert.equal(conv2d.cost!([[1, 5, 5, 4], [3, 3, 2, 6]], a), 150 * 18);
});
