// conv2d_transpose reference vs TF.js: tf.conv2dTranspose 'valid' onto the full output, then cropped (positive
// pads) or zero-extended (negative pads) with tf.slice / tf.pad; dilation via a zero-stuffed kernel (TF.js has no
// dilated conv2dTranspose). Keras semantics: kerasConvTransposePads vs tf.layers.conv2dTranspose (values and
// shapes), vs tf.conv2dTranspose with Keras' output_padding lengths, and vs Keras 3's JAX padding formula.
// Tolerance: see assertClose (1e-4 relative; NaN/Inf must match exactly).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { LINEAR } from '../../src/ops/activation-fns.js';
import { conv2dTranspose, kerasConvTransposePads, type Conv2dTransposeAttrs } from '../../src/ops/conv2d-transpose.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, pick, randInt, sprinkleSpecials, tf, tfActivation, TEST_ACTIVATIONS, toTf, useCpu } from './tf-oracle.js';

/** [kh, kw, cout, cin] -> the same kernel with (d - 1) zeros between taps. */
function dilateKernel(w: Tensor, dh: number, dw: number): Tensor {
  const [KH, KW, CO, CI] = w.shape;
  const [EH, EW] = [(KH - 1) * dh + 1, (KW - 1) * dw + 1];
  const out = tensor([EH, EW, CO, CI]);
  for (let ky = 0; ky < KH; ky++)
    for (let kx = 0; kx < KW; kx++)
      for (let i = 0; i < CO * CI; i++) out.data[(ky * dh * EW + kx * dw) * CO * CI + i] = w.data[(ky * KW + kx) * CO * CI + i];
  return out;
}

function tfConvTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, a: Conv2dTransposeAttrs): tf.Tensor {
  return tf.tidy(() => {
    const [N, H, W] = x.shape;
    const wd = dilateKernel(w, a.dilations[0], a.dilations[1]);
    const [EH, EW, CO] = wd.shape;
    const full: [number, number, number, number] = [N, (H - 1) * a.strides[0] + EH, (W - 1) * a.strides[1] + EW, CO];
    let y: tf.Tensor = tf.conv2dTranspose(toTf(x) as tf.Tensor4D, toTf(wd) as tf.Tensor4D, full, [a.strides[0], a.strides[1]], 'valid');
    const [pt, pb, pl, pr] = a.pads;
    const grow = (p: number): number => Math.max(-p, 0);
    y = tf.pad(y, [[0, 0], [grow(pt), grow(pb)], [grow(pl), grow(pr)], [0, 0]]);
    y = tf.slice(y, [0, Math.max(pt, 0), Math.max(pl, 0), 0], [N, full[1] - pt - pb, full[2] - pl - pr, CO]);
    if (b) y = tf.add(y, toTf(b));
    return tfActivation(y, a.activation);
  });
}

interface Case {
  x: Tensor;
  w: Tensor;
  b?: Tensor;
  attrs: Conv2dTransposeAttrs;
}

function randomCase(r: () => number, seed: number, maxDilation: number): Case {
  for (;;) {
    const [N, H, W, CI, CO] = [randInt(r, 1, 2), randInt(r, 1, 6), randInt(r, 1, 6), randInt(r, 1, 3), randInt(r, 1, 3)];
    const [kh, kw] = [randInt(r, 1, 4), randInt(r, 1, 4)];
    const strides: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const dilations: [number, number] = [randInt(r, 1, maxDilation), randInt(r, 1, maxDilation)];
    const pads: [number, number, number, number] = [randInt(r, -2, 3), randInt(r, -2, 3), randInt(r, -2, 3), randInt(r, -2, 3)];
    const fullH = (H - 1) * strides[0] + (kh - 1) * dilations[0] + 1;
    const fullW = (W - 1) * strides[1] + (kw - 1) * dilations[1] + 1;
    if (fullH - pads[0] - pads[1] < 1 || fullW - pads[2] - pads[3] < 1) continue;
    const x = randTensor([N, H, W, CI], seed);
    const w = randTensor([kh, kw, CO, CI], seed + 1);
    const b = r() < 0.5 ? randTensor([CO], seed + 2) : undefined;
    return { x, w, b, attrs: { strides, dilations, pads, activation: pick(r, TEST_ACTIVATIONS) } };
  }
}

function describe(c: Case): string {
  return `x [${c.x.shape}] w [${c.w.shape}] ${JSON.stringify(c.attrs)}`;
}

test('conv2d_transpose: random shapes, strides 1-3, dilations 1-2, crops and negative pads vs tf.conv2dTranspose', async () => {
  await useCpu();
  const r = rng(2468);
  for (let i = 0; i < 80; i++) {
    const c = randomCase(r, 3000 + i * 7, 2);
    const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
    const [got] = conv2dTranspose.reference(inputs, c.attrs);
    assert.deepEqual(conv2dTranspose.inferShape(inputs.map((t) => t.shape), c.attrs)[0], got.shape, describe(c));
    assertClose(got, tfConvTranspose(c.x, c.w, c.b, c.attrs), describe(c));
  }
});

test('conv2d_transpose: NaN and +-Inf inputs propagate as in tf.conv2dTranspose', async () => {
  await useCpu();
  const r = rng(13);
  for (let i = 0; i < 20; i++) {
    // Dilation 1 only: the zero-stuffed kernel of the oracle would turn NaN * 0 into extra NaNs.
    const c = randomCase(r, 7000 + i * 7, 1);
    sprinkleSpecials(c.x, r, 1 + (i % 4));
    const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
    assertClose(conv2dTranspose.reference(inputs, c.attrs)[0], tfConvTranspose(c.x, c.w, c.b, c.attrs), describe(c));
  }
});

test('conv2d_transpose: kerasConvTransposePads reproduces tf.layers.conv2dTranspose (same/valid, k < s, k > s)', async () => {
  await useCpu();
  const r = rng(555);
  let n = 0;
  for (const padding of ['same', 'valid'] as const) {
    for (let i = 0; i < 14; i++) {
      const [N, H, W, CI, CO] = [randInt(r, 1, 2), randInt(r, 1, 5), randInt(r, 1, 5), randInt(r, 1, 3), randInt(r, 1, 3)];
      const [kh, kw] = [randInt(r, 1, 4), randInt(r, 1, 4)];
      const [sh, sw] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const x = randTensor([N, H, W, CI], 9000 + n);
      const w = randTensor([kh, kw, CO, CI], 9100 + n);
      const b = randTensor([CO], 9200 + n++);
      const layer = tf.layers.conv2dTranspose({ filters: CO, kernelSize: [kh, kw], strides: [sh, sw], padding, useBias: true });
      layer.apply(toTf(x)); // builds the layer
      layer.setWeights([toTf(w), toTf(b)]);
      const want = layer.apply(toTf(x)) as tf.Tensor;
      const pads = [...kerasConvTransposePads(H, kh, sh, 1, padding, null), ...kerasConvTransposePads(W, kw, sw, 1, padding, null)] as [number, number, number, number];
      const attrs: Conv2dTransposeAttrs = { strides: [sh, sw], dilations: [1, 1], pads, activation: LINEAR };
      assertClose(conv2dTranspose.reference([x, w, b], attrs)[0], want, `keras ${padding} x [${x.shape}] w [${w.shape}] s [${sh}, ${sw}] pads [${pads}]`);
    }
  }
});

/** Keras 3 output length (keras/src/backend/common/backend_utils.py, _get_output_shape_given_tf_padding). */
function kerasOutLength(inSize: number, k: number, s: number, d: number, padding: 'same' | 'valid', op: number | null): number {
  const eff = (k - 1) * d + 1;
  if (padding === 'valid') return (inSize - 1) * s + eff + (op ?? Math.max(eff, s) - eff);
  return op === null ? inSize * s : (inSize - 1) * s + (eff % 2) + op;
}

/** Keras 3 JAX backend crops (eff - 1 - left_pad, eff - 1 - right_pad) from the same file's JAX padding helper. */
function kerasJaxCrops(k: number, s: number, d: number, padding: 'same' | 'valid', op: number | null): [number, number] {
  const eff = (k - 1) * d + 1;
  let left: number;
  let right: number;
  if (padding === 'valid') {
    left = eff - 1;
    right = eff - 1 + (op ?? Math.max(eff, s) - eff);
  } else {
    const padLen = op === null ? s + eff - 2 : eff + (eff % 2) - 2 + op;
    left = Math.min(Math.floor(padLen / 2) + (padLen % 2), eff - 1);
    right = padLen - left;
  }
  return [eff - 1 - left, eff - 1 - right];
}

test('conv2d_transpose: kerasConvTransposePads matches Keras output lengths and the JAX backend placement', () => {
  let checked = 0;
  for (let inSize = 0; inSize <= 7; inSize++)
    for (let k = 1; k <= 5; k++)
      for (let s = 1; s <= 4; s++)
        for (let d = 1; d <= 3; d++)
          for (const padding of ['same', 'valid'] as const)
            for (const op of [null, 0, 1, 2, 3]) {
              if (op !== null && op >= s) continue; // Keras documents output_padding < stride
              const len = kerasOutLength(inSize, k, s, d, padding, op);
              if (len < 0) {
                assertShapeError(() => kerasConvTransposePads(inSize, k, s, d, padding, op), 'conv2d_transpose', `negative length ${len}`);
                continue;
              }
              const [before, after] = kerasConvTransposePads(inSize, k, s, d, padding, op);
              const full = (inSize - 1) * s + (k - 1) * d + 1;
              const what = `in ${inSize} k ${k} s ${s} d ${d} ${padding} op ${op}`;
              assert.equal(full - before - after, len, `${what}: length`);
              assert.deepEqual([before, after], kerasJaxCrops(k, s, d, padding, op), `${what}: placement`);
              checked++;
            }
  assert.ok(checked > 1000);
});

test('conv2d_transpose: kerasConvTransposePads with output_padding matches tf.conv2dTranspose (TF backend) where TF accepts it', async () => {
  await useCpu();
  const r = rng(808);
  let compared = 0;
  for (let i = 0; compared < 30 && i < 500; i++) {
    const padding = pick(r, ['same', 'valid'] as const);
    const [H, W, CI, CO] = [randInt(r, 1, 5), randInt(r, 1, 5), randInt(r, 1, 3), randInt(r, 1, 3)];
    const [kh, kw] = [randInt(r, 1, 4), randInt(r, 1, 4)];
    const [sh, sw] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const [oph, opw] = [randInt(r, 0, sh - 1), randInt(r, 0, sw - 1)];
    const [OH, OW] = [kerasOutLength(H, kh, sh, 1, padding, oph), kerasOutLength(W, kw, sw, 1, padding, opw)];
    // TF's conv_transpose requires the forward conv over the output to give back the input size.
    const fwd = (o: number, k: number, s: number): number => (padding === 'same' ? Math.ceil(o / s) : Math.floor((o - k) / s) + 1);
    if (OH < 1 || OW < 1 || fwd(OH, kh, sh) !== H || fwd(OW, kw, sw) !== W) continue;
    const x = randTensor([1, H, W, CI], 11000 + i);
    const w = randTensor([kh, kw, CO, CI], 12000 + i);
    const want = tf.conv2dTranspose(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, [1, OH, OW, CO], [sh, sw], padding);
    const pads = [...kerasConvTransposePads(H, kh, sh, 1, padding, oph), ...kerasConvTransposePads(W, kw, sw, 1, padding, opw)] as [number, number, number, number];
    const attrs: Conv2dTransposeAttrs = { strides: [sh, sw], dilations: [1, 1], pads, activation: LINEAR };
    assertClose(conv2dTranspose.reference([x, w], attrs)[0], want, `${padding} op [${oph}, ${opw}] x [${x.shape}] w [${w.shape}] s [${sh}, ${sw}]`);
    compared++;
  }
  assert.equal(compared, 30);
});

test('conv2d_transpose: zero sizes give empty (or bias-only) outputs', () => {
  const attrs: Conv2dTransposeAttrs = { strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], activation: { fn: 'relu' } };
  let [y] = conv2dTranspose.reference([tensor([0, 3, 3, 2]), randTensor([3, 3, 4, 2], 1)], attrs);
  assert.deepEqual(y.shape, [0, 7, 7, 4]);
  const b = tensor([3], [1, -2, 3]);
  [y] = conv2dTranspose.reference([tensor([1, 2, 2, 0]), tensor([3, 3, 3, 0]), b], attrs);
  assert.deepEqual(y.shape, [1, 5, 5, 3]);
  for (let i = 0; i < y.data.length; i++) assert.equal(y.data[i], Math.max(0, b.data[i % 3]));
  [y] = conv2dTranspose.reference([randTensor([1, 2, 2, 2], 2), tensor([3, 3, 0, 2])], attrs);
  assert.deepEqual(y.shape, [1, 5, 5, 0]);
  // An empty image under Keras 'valid' (k 3, s 1) still has k - 1 = 2 rows, all bias, as in Keras.
  const valid = kerasConvTransposePads(0, 3, 1, 1, 'valid', null);
  [y] = conv2dTranspose.reference([tensor([1, 0, 2, 1]), randTensor([3, 3, 3, 1], 3), b], { ...attrs, strides: [1, 1], pads: [...valid, 0, 0] });
  assert.deepEqual(y.shape, [1, 2, 4, 3]);
  const same = kerasConvTransposePads(0, 3, 2, 1, 'same', null);
  [y] = conv2dTranspose.reference([tensor([1, 0, 2, 1]), randTensor([3, 3, 3, 1], 3)], { ...attrs, pads: [...same, 0, 0] });
  assert.deepEqual(y.shape, [1, 0, 5, 3]);
});

test('conv2d_transpose: inferShape carries the symbolic batch and rejects bad shapes with ShapeError', () => {
  const a: Conv2dTransposeAttrs = { strides: [2, 2], dilations: [1, 1], pads: [1, 0, 1, 0], activation: LINEAR };
  assert.deepEqual(conv2dTranspose.inferShape([[-1, 4, 4, 3], [3, 3, 5, 3]], a), [[-1, 8, 8, 5]]);
  assert.deepEqual(conv2dTranspose.inferShape([[-1, 4, 4, 3], [1, 1, 5, 3], [5]], { ...a, pads: [0, -1, 0, -1] }), [[-1, 8, 8, 5]]);
  assert.deepEqual(conv2dTranspose.inferShape([[-1, 4, 4, 3], [3, 3, 5, 3]], { ...a, dilations: [2, 1], pads: [0, 0, 0, 0] }), [[-1, 11, 9, 5]]);
  const bad: [string, () => unknown][] = [
    ['channel mismatch (kernel is [kh, kw, cout, cin])', () => conv2dTranspose.inferShape([[1, 4, 4, 3], [3, 3, 3, 5]], a)],
    ['bias size', () => conv2dTranspose.inferShape([[1, 4, 4, 3], [3, 3, 5, 3], [3]], a)],
    ['crop larger than the full output', () => conv2dTranspose.inferShape([[1, 1, 4, 3], [1, 3, 5, 3]], { ...a, pads: [1, 1, 0, 0] })],
    ['stride 0', () => conv2dTranspose.inferShape([[1, 4, 4, 3], [3, 3, 5, 3]], { ...a, strides: [0, 2] })],
    ['dilation 0', () => conv2dTranspose.inferShape([[1, 4, 4, 3], [3, 3, 5, 3]], { ...a, dilations: [1, 0] })],
    ['fractional pad', () => conv2dTranspose.inferShape([[1, 4, 4, 3], [3, 3, 5, 3]], { ...a, pads: [0.5, 0, 0, 0] })],
    ['rank-5 input', () => conv2dTranspose.inferShape([[1, 1, 4, 4, 3], [3, 3, 5, 3]], a)],
    ['empty kernel window', () => conv2dTranspose.inferShape([[1, 4, 4, 3], [3, 0, 5, 3]], a)],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'conv2d_transpose', what);
});

test('conv2d_transpose: cost counts multiply-adds', () => {
  const a: Conv2dTransposeAttrs = { strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], activation: LINEAR };
  assert.equal(conv2dTranspose.cost!([[2, 4, 4, 3], [3, 3, 5, 3]], a), 2 * 16 * 3 * 9 * 5);
});
