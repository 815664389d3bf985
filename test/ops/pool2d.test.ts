// pool2d reference vs TF.js tf.maxPool / tf.avgPool with 'same'/'valid' strings, the reference getting
// computePads of the same mode (TF.js explicit pool pads follow other rules). Tolerance: see assertClose.
// NaN in max pooling: skipped, as tf.maxPool does (a window of NaN only gives -Inf), so the NaN cases compare
// with TF.js directly.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { computePads } from '../../src/ops/padding.js';
import { pool2d, type Pool2dAttrs } from '../../src/ops/pool2d.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, pick, randInt, sprinkleSpecials, tf, toTf, useCpu } from './tf-oracle.js';

interface Case {
  x: Tensor;
  attrs: Pool2dAttrs;
  mode: 'same' | 'valid';
}

function randomCase(r: () => number, seed: number, type: 'max' | 'avg'): Case {
  for (;;) {
    const [N, H, W, C] = [randInt(r, 1, 2), randInt(r, 1, 9), randInt(r, 1, 9), randInt(r, 1, 4)];
    const kernel: [number, number] = [randInt(r, 1, 4), randInt(r, 1, 4)];
    const strides: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const mode = pick(r, ['same', 'valid'] as const);
    if (mode === 'valid' && (H < kernel[0] || W < kernel[1])) continue;
    const pads = [...computePads(mode, H, kernel[0], strides[0]), ...computePads(mode, W, kernel[1], strides[1])] as [number, number, number, number];
    return { x: randTensor([N, H, W, C], seed), mode, attrs: { type, kernel, strides, pads } };
  }
}

function tfPool(x: Tensor | tf.Tensor, c: Case): tf.Tensor {
  const xt = (x instanceof tf.Tensor ? x : toTf(x)) as tf.Tensor4D;
  const { kernel, strides } = c.attrs;
  const f = c.attrs.type === 'max' ? tf.maxPool : tf.avgPool;
  return f(xt, [kernel[0], kernel[1]], [strides[0], strides[1]], c.mode);
}

function describe(c: Case): string {
  return `x [${c.x.shape}] ${c.mode} ${JSON.stringify(c.attrs)}`;
}

test('pool2d: random shapes, kernels 1-4, strides 1-3, same/valid, max and avg vs tf.maxPool / tf.avgPool', async () => {
  await useCpu();
  const r = rng(31337);
  for (let i = 0; i < 100; i++) {
    const c = randomCase(r, 100 + i * 3, i % 2 === 0 ? 'max' : 'avg');
    const [got] = pool2d.reference([c.x], c.attrs);
    assert.deepEqual(pool2d.inferShape([c.x.shape], c.attrs)[0], got.shape, describe(c));
    assertClose(got, tfPool(c.x, c), describe(c));
  }
});

test('pool2d: avg pooling propagates NaN and Inf as tf.avgPool does', async () => {
  await useCpu();
  const r = rng(2);
  for (let i = 0; i < 25; i++) {
    const c = randomCase(r, 400 + i * 3, 'avg');
    sprinkleSpecials(c.x, r, 1 + (i % 4));
    assertClose(pool2d.reference([c.x], c.attrs)[0], tfPool(c.x, c), describe(c));
  }
});

test('pool2d: max pooling skips NaN and keeps +-Inf as tf.maxPool, windows of NaN only included', async () => {
  await useCpu();
  const r = rng(3);
  let mixed = 0;
  let allNaN = 0;
  for (let i = 0; i < 25; i++) {
    const c = randomCase(r, 700 + i * 3, 'max');
    sprinkleSpecials(c.x, r, 1 + (i % 5));
    // Every other case: the first window's cells of channel 0 all NaN (-Inf out, or a finite max beside padding).
    if (i % 2 === 1) {
      const [, H, W, C] = c.x.shape;
      for (let y = 0; y < Math.min(H, c.attrs.kernel[0] - c.attrs.pads[0]); y++) {
        for (let x = 0; x < Math.min(W, c.attrs.kernel[1] - c.attrs.pads[2]); x++) c.x.data[(y * W + x) * C] = NaN;
      }
    }
    const want = tfPool(c.x, c);
    const wantData = want.dataSync();
    const nanIn = Float32Array.from(tfPool(tf.tensor(c.x.data.map((v) => (Number.isNaN(v) ? 1 : 0)), [...c.x.shape]), c).dataSync());
    nanIn.forEach((v, j) => {
      if (v === 1 && wantData[j] === -Infinity) allNaN++;
      else if (v === 1) mixed++;
    });
    assertClose(pool2d.reference([c.x], c.attrs)[0], want, describe(c));
  }
  assert.ok(mixed > 0 && allNaN > 0, `windows with NaN beside values (${mixed}) and of NaN only (${allNaN})`);
});

test('pool2d: a NaN never wins a max window wherever it sits; NaN only or all -Inf gives -Inf; avg excludes padding', () => {
  const max: Pool2dAttrs = { type: 'max', kernel: [1, 3], strides: [1, 3], pads: [0, 0, 0, 0] };
  const x = tensor([1, 1, 9, 1], [NaN, 1, 2, 3, NaN, 2, 3, 2, NaN]);
  assert.deepEqual([...pool2d.reference([x], max)[0].data], [2, 3, 3]);
  const nan = tensor([1, 1, 3, 1], [NaN, NaN, NaN]);
  assert.deepEqual([...pool2d.reference([nan], max)[0].data], [-Infinity]);
  const ninf = tensor([1, 1, 3, 1], [-Infinity, -Infinity, -Infinity]);
  assert.deepEqual([...pool2d.reference([ninf], max)[0].data], [-Infinity]);
  // 2x2 avg over [[1, 2], [3, 4]] padded top and left: windows average only their real cells.
  const img = tensor([1, 2, 2, 1], [1, 2, 3, 4]);
  const [y] = pool2d.reference([img], { type: 'avg', kernel: [2, 2], strides: [1, 1], pads: [1, 0, 1, 0] });
  assert.deepEqual([...y.data], [1, 1.5, 2, 2.5]);
});

test('pool2d: zero sizes give empty outputs', () => {
  const a: Pool2dAttrs = { type: 'max', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] };
  assert.deepEqual(pool2d.reference([tensor([0, 5, 5, 2])], a)[0].shape, [0, 3, 3, 2]);
  assert.deepEqual(pool2d.reference([tensor([1, 5, 5, 0])], a)[0].shape, [1, 3, 3, 0]);
  assert.deepEqual(pool2d.reference([tensor([1, 0, 5, 2])], { ...a, type: 'avg' })[0].shape, [1, 0, 3, 2]);
  assert.deepEqual(pool2d.reference([tensor([1, 5, 0, 2])], a)[0].shape, [1, 3, 0, 2]);
});

test('pool2d: inferShape carries the symbolic batch and rejects bad shapes with ShapeError', () => {
  const a: Pool2dAttrs = { type: 'max', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] };
  assert.deepEqual(pool2d.inferShape([[-1, 28, 28, 6]], a), [[-1, 14, 14, 6]]);
  assert.deepEqual(pool2d.inferShape([[-1, 7, 5, 1]], { ...a, kernel: [3, 3], strides: [3, 3], pads: [1, 1, 0, 1] }), [[-1, 3, 2, 1]]);
  const bad: [string, () => unknown][] = [
    ['kernel larger than the padded input', () => pool2d.inferShape([[1, 2, 8, 3]], { ...a, kernel: [3, 2] })],
    ['pad as large as the kernel', () => pool2d.inferShape([[1, 8, 8, 3]], { ...a, pads: [2, 0, 0, 0] })],
    ['stride 0', () => pool2d.inferShape([[1, 8, 8, 3]], { ...a, strides: [0, 2] })],
    ['kernel 0', () => pool2d.inferShape([[1, 8, 8, 3]], { ...a, kernel: [2, 0] })],
    ['negative pad', () => pool2d.inferShape([[1, 8, 8, 3]], { ...a, pads: [0, 0, -1, 0] })],
    ['rank-3 input', () => pool2d.inferShape([[8, 8, 3]], a)],
    ['symbolic non-batch dim', () => pool2d.inferShape([[1, 8, -1, 3]], a)],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'pool2d', what);
});

test('pool2d: cost counts window cells', () => {
  assert.equal(pool2d.cost!([[2, 8, 8, 3]], { type: 'avg', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }), 2 * 16 * 3 * 4);
});
