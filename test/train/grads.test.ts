// Gradients of every differentiable op (src/train/grads/), checked two independent ways: central finite
// differences of the training forward, and TF.js's tf.grads of the same computation. Tiny shapes: each case
// runs in milliseconds. Tolerances: finite differences 2e-3 + 1e-2 relative (float32 forward, eps 1e-2 or
// 3e-3 near kinks); TF.js 1e-4 * (1 + |g|) (both float32, sums of a few hundred terms).

import { test } from 'node:test';
import type * as Tfjs from '@tensorflow/tfjs';
import type { Tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d.js';
import { computePads } from '../../src/ops/padding.js';
import { randTensor } from '../helpers/rand.js';
import { tf, tfActivation, tfPads, useCpu } from '../ops/tf-oracle.js';
import { checkFiniteDifferences, checkTfjs } from './grad-check.js';

const ACTS: Activation[] = [
  { fn: 'linear' },
  { fn: 'relu' },
  { fn: 'relu6' },
  { fn: 'sigmoid' },
  { fn: 'tanh' },
  { fn: 'elu' },
  { fn: 'selu' },
  { fn: 'softplus' },
  { fn: 'softsign' },
  { fn: 'swish' },
  { fn: 'leaky_relu', alpha: 0.2 },
  { fn: 'exponential' },
  { fn: 'hard_sigmoid' },
  { fn: 'hard_swish' },
  { fn: 'mish' },
  { fn: 'gelu' },
  { fn: 'gelu_tanh' },
];

const KINKED = new Set(['relu', 'relu6', 'leaky_relu', 'hard_sigmoid', 'hard_swish', 'elu', 'selu']);

test('grads: activation, every function, vs finite differences and TF.js', async () => {
  await useCpu();
  for (const [i, act] of ACTS.entries()) {
    const x = randTensor([3, 7], 10 + i, -3, 3);
    const c = { op: 'activation' as const, attrs: { activation: act }, inputs: [x] };
    checkFiniteDifferences(c, `activation ${act.fn}`, { eps: KINKED.has(act.fn) ? 1e-3 : 1e-2 });
    if (act.fn !== 'gelu') checkTfjs(c, ([t]) => tfActivation(t, act), `activation ${act.fn}`, act.fn === 'gelu_tanh' ? 1e-3 : 1e-4);
  }
});

test('grads: dense with fused activations, vs finite differences and TF.js', async () => {
  await useCpu();
  for (const [i, act] of [{ fn: 'linear' }, { fn: 'relu' }, { fn: 'tanh' }, { fn: 'sigmoid' }, { fn: 'elu' }, { fn: 'swish' }].entries()) {
    const a = act as Activation;
    const x = randTensor([5, 6], 20 + i);
    const w = randTensor([6, 9], 30 + i);
    const b = randTensor([9], 40 + i);
    const c = { op: 'dense' as const, attrs: { activation: a }, inputs: [x, w, b] };
    checkFiniteDifferences(c, `dense ${a.fn}`, { eps: a.fn === 'relu' || a.fn === 'elu' ? 1e-3 : 1e-2 });
    checkTfjs(c, ([tx, tw, tb]) => tfActivation(tf.add(tf.matMul(tx as Tfjs.Tensor2D, tw as Tfjs.Tensor2D), tb), a), `dense ${a.fn}`);
  }
  // No bias, rank-3 input (Dense over the last axis).
  const c3 = { op: 'dense' as const, attrs: { activation: { fn: 'linear' } as Activation }, inputs: [randTensor([2, 3, 4], 50), randTensor([4, 5], 51)] };
  checkFiniteDifferences(c3, 'dense rank 3');
  checkTfjs(c3, ([tx, tw]) => tf.reshape(tf.matMul(tf.reshape(tx, [6, 4]) as Tfjs.Tensor2D, tw as Tfjs.Tensor2D), [2, 3, 5]), 'dense rank 3');
});

function convCase(x: Tensor, w: Tensor, b: Tensor | undefined, strides: [number, number], dil: [number, number], pad: 'same' | 'valid', act: Activation) {
  const [, h, wd] = x.shape;
  const [kh, kw] = w.shape;
  const pads = [...computePads(pad, h, kh, strides[0], dil[0]), ...computePads(pad, wd, kw, strides[1], dil[1])] as [number, number, number, number];
  const attrs: Conv2dAttrs = { strides, dilations: dil, pads, groups: 1, activation: act };
  return { op: 'conv2d' as const, attrs, inputs: b ? [x, w, b] : [x, w] };
}

test('grads: conv2d (same / valid, strides, dilation, bias, activations), vs finite differences and TF.js', async () => {
  await useCpu();
  const shapes: { x: number[]; k: number[]; s: [number, number]; d: [number, number]; pad: 'same' | 'valid'; act: Activation; bias: boolean }[] = [
    { x: [2, 5, 5, 1], k: [3, 3, 1, 4], s: [1, 1], d: [1, 1], pad: 'same', act: { fn: 'relu' }, bias: true },
    { x: [1, 6, 7, 3], k: [3, 2, 3, 2], s: [2, 2], d: [1, 1], pad: 'valid', act: { fn: 'linear' }, bias: true },
    { x: [2, 7, 6, 2], k: [5, 5, 2, 3], s: [1, 1], d: [1, 1], pad: 'same', act: { fn: 'tanh' }, bias: false },
    { x: [1, 8, 8, 2], k: [3, 3, 2, 2], s: [2, 1], d: [1, 1], pad: 'same', act: { fn: 'sigmoid' }, bias: true },
    { x: [1, 9, 9, 2], k: [3, 3, 2, 3], s: [1, 1], d: [2, 2], pad: 'same', act: { fn: 'linear' }, bias: true },
  ];
  for (const [i, s] of shapes.entries()) {
    const x = randTensor(s.x, 60 + i);
    const w = randTensor(s.k, 70 + i);
    const b = s.bias ? randTensor([s.k[3]], 80 + i) : undefined;
    const c = convCase(x, w, b, s.s, s.d, s.pad, s.act);
    const what = `conv2d #${i} x [${s.x}] k [${s.k}] s ${s.s} d ${s.d} ${s.pad} ${s.act.fn}`;
    checkFiniteDifferences(c, what, { eps: s.act.fn === 'relu' ? 1e-3 : 1e-2 });
    // TF.js has no dilated conv gradient; dilation is covered by finite differences.
    if (s.d[0] === 1) {
      checkTfjs(
        c,
        ([tx, tw, tb]) => {
          let y: Tfjs.Tensor = tf.conv2d(tx as Tfjs.Tensor4D, tw as Tfjs.Tensor4D, s.s, tfPads(c.attrs.pads), 'NHWC');
          if (tb) y = tf.add(y, tb);
          return tfActivation(y, s.act);
        },
        what,
      );
    }
  }
});

test('grads: pool2d max and average (valid / same, overlapping windows), vs finite differences and TF.js', async () => {
  await useCpu();
  const cases: { x: number[]; k: [number, number]; s: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 4, 4, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
    { x: [1, 5, 5, 2], k: [2, 2], s: [2, 2], pad: 'same' },
    { x: [1, 6, 5, 2], k: [3, 3], s: [1, 2], pad: 'same' },
    { x: [1, 7, 7, 1], k: [3, 2], s: [2, 2], pad: 'valid' },
  ];
  for (const type of ['max', 'avg'] as const) {
    for (const [i, p] of cases.entries()) {
      const x = randTensor(p.x, 90 + i);
      const pads = [...computePads(p.pad, p.x[1], p.k[0], p.s[0]), ...computePads(p.pad, p.x[2], p.k[1], p.s[1])] as [number, number, number, number];
      const c = { op: 'pool2d' as const, attrs: { type, kernel: p.k, strides: p.s, pads }, inputs: [x] };
      const what = `pool2d ${type} #${i} ${p.pad}`;
      checkFiniteDifferences(c, what, { eps: 1e-3 });
      // TF.js's AvgPoolGrad divides by the full window even where 'same' padding cut it (its forward and TF's
      // own gradient divide by the real cells), so partial-window average cases are left to finite differences.
      const partial = type === 'avg' && pads.some((q) => q > 0);
      if (!partial) checkTfjs(c, ([t]) => (type === 'max' ? tf.maxPool(t as Tfjs.Tensor4D, p.k, p.s, p.pad) : tf.avgPool(t as Tfjs.Tensor4D, p.k, p.s, p.pad)), what);
    }
  }
});

test('grads: max pooling with NaN and -Inf, js and wasm kernels, vs TF.js (no gradient from a window without a value)', async () => {
  await useCpu();
  const { wasmTrainKernels } = await import('../../src/train/kernels/wasm.js');
  const { jsKernels } = await import('../../src/train/kernels/js.js');
  // Per window and channel, one of: values only; NaN first, then values; NaN only; NaN and -Inf; -Inf only;
  // -Inf first, then values. TF.js's MaxPoolGrad (CPU) sends each output's gradient to its window's first cell
  // above -Inf, and nowhere when there is none (its position -1 matches no cell): the NaN-only, NaN / -Inf and
  // -Inf-only windows must get no gradient at all. C = 5: the wasm vector body and its scalar tail.
  const kinds = [
    (v: number) => v,
    (v: number, k: number) => (k === 0 ? NaN : v),
    () => NaN,
    (_: number, k: number) => (k % 2 === 0 ? NaN : -Infinity),
    () => -Infinity,
    (v: number, k: number) => (k === 0 ? -Infinity : v),
  ];
  const cases: { x: [number, number, number, number]; k: [number, number]; s: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 6, 6, 5], k: [2, 2], s: [2, 2], pad: 'valid' },
    { x: [1, 6, 9, 5], k: [3, 3], s: [3, 3], pad: 'valid' },
    // Overlapping, padded windows: the kinds are laid out over 2 x 2 tiles, so windows mix them too.
    { x: [1, 7, 7, 5], k: [3, 3], s: [1, 1], pad: 'same' },
  ];
  for (const [i, p] of cases.entries()) {
    const [N, H, W, C] = p.x;
    const x = randTensor(p.x, 400 + i);
    const tile = p.pad === 'same' ? [2, 2] : p.k;
    for (let n = 0; n < N; n++) {
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          const window = Math.floor(iy / tile[0]) * W + Math.floor(ix / tile[1]);
          const k = (iy % tile[0]) * tile[1] + (ix % tile[1]); // the cell's place in its tile, row-major
          for (let c = 0; c < C; c++) {
            const j = ((n * H + iy) * W + ix) * C + c;
            x.data[j] = kinds[(window + c + n) % kinds.length](x.data[j], k);
          }
        }
      }
    }
    const pads = [...computePads(p.pad, H, p.k[0], p.s[0]), ...computePads(p.pad, W, p.k[1], p.s[1])] as [number, number, number, number];
    for (const kernels of [jsKernels, wasmTrainKernels()]) {
      const c = { op: 'pool2d' as const, attrs: { type: 'max' as const, kernel: p.k, strides: p.s, pads }, inputs: [x], kernels };
      checkTfjs(c, ([t]) => tf.maxPool(t as Tfjs.Tensor4D, p.k, p.s, p.pad), `max pool with NaN / -Inf #${i} ${kernels.name}`);
    }
  }
});

test('grads: softmax on the last and a middle axis, vs finite differences and TF.js', async () => {
  await useCpu();
  const x = randTensor([4, 6], 100, -3, 3);
  const c = { op: 'softmax' as const, attrs: { axis: -1 }, inputs: [x] };
  checkFiniteDifferences(c, 'softmax last axis');
  checkTfjs(c, ([t]) => tf.softmax(t), 'softmax last axis');
  const x3 = randTensor([2, 5, 3], 101, -3, 3);
  const c3 = { op: 'softmax' as const, attrs: { axis: 1 }, inputs: [x3] };
  checkFiniteDifferences(c3, 'softmax axis 1');
  checkTfjs(c3, ([t]) => tf.transpose(tf.softmax(tf.transpose(t, [0, 2, 1])), [0, 2, 1]), 'softmax axis 1');
});

test('grads: batchnorm in training mode (batch statistics) and inference mode, vs finite differences and TF.js', async () => {
  await useCpu();
  for (const [i, shape] of [[6, 4], [3, 4, 5, 3]].entries()) {
    const c = shape[shape.length - 1];
    const x = randTensor(shape, 110 + i, -2, 2);
    const gamma = randTensor([c], 120 + i, 0.5, 1.5);
    const beta = randTensor([c], 130 + i);
    const mean = randTensor([c], 140 + i);
    const variance = randTensor([c], 150 + i, 0.5, 2);
    const axes = shape.slice(0, -1).map((_, k) => k);
    const train = { op: 'batchnorm' as const, attrs: { axis: -1, epsilon: 1e-3 }, inputs: [x, gamma, beta, mean, variance], constant: [3, 4], behaviour: { kind: 'batchnorm' as const, momentum: 0.99 }, training: true };
    checkFiniteDifferences(train, `batchnorm training rank ${shape.length}`);
    checkTfjs(
      train,
      ([tx, tg, tb]) => {
        const m = tf.moments(tx, axes);
        return tf.batchNorm(tx, m.mean, m.variance, tb, tg, 1e-3);
      },
      `batchnorm training rank ${shape.length}`,
      2e-4,
    );
    const infer = { ...train, training: false };
    checkFiniteDifferences(infer, `batchnorm inference rank ${shape.length}`);
    checkTfjs(infer, ([tx, tg, tb, tm, tv]) => tf.batchNorm(tx, tm, tv, tb, tg, 1e-3), `batchnorm inference rank ${shape.length}`);
  }
});

test('grads: binary ops with broadcasting, vs finite differences and TF.js', async () => {
  await useCpu();
  const fns = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, max: tf.maximum, min: tf.minimum } as const;
  const shapes: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[3, 4], [4]],
    [[2, 3, 4], [3, 1]],
    [[2, 1, 4], [1, 3, 1]],
  ];
  for (const [fn, tfFn] of Object.entries(fns)) {
    for (const [i, [sa, sb]] of shapes.entries()) {
      const a = randTensor(sa, 160 + i);
      const b = fn === 'div' ? randTensor(sb, 170 + i, 0.5, 2) : randTensor(sb, 170 + i);
      const c = { op: 'binary' as const, attrs: { fn: fn as 'add' }, inputs: [a, b] };
      const what = `binary ${fn} [${sa}] x [${sb}]`;
      checkFiniteDifferences(c, what, { eps: fn === 'max' || fn === 'min' ? 1e-3 : 1e-2 });
      // TF.js's Maximum / Minimum gradients do not sum over broadcast axes (they throw on shape mismatch);
      // broadcasting max / min is left to finite differences.
      const broadcast = sa.join() !== sb.join();
      if (!(broadcast && (fn === 'max' || fn === 'min'))) checkTfjs(c, ([x, y]) => (tfFn as (p: Tfjs.Tensor, q: Tfjs.Tensor) => Tfjs.Tensor)(x, y), what);
    }
  }
});

test('grads: concat, reshape, transpose, reduce, identity, vs finite differences and TF.js', async () => {
  await useCpu();
  const a = randTensor([2, 3, 2], 200);
  const b = randTensor([2, 1, 2], 201);
  const cc = { op: 'concat' as const, attrs: { axis: 1 }, inputs: [a, b] };
  checkFiniteDifferences(cc, 'concat');
  checkTfjs(cc, ([x, y]) => tf.concat([x, y], 1), 'concat');
  const r = { op: 'reshape' as const, attrs: { shape: [-1, 6] }, inputs: [a] };
  checkFiniteDifferences(r, 'reshape');
  checkTfjs(r, ([x]) => tf.reshape(x, [2, 6]), 'reshape');
  const t = { op: 'transpose' as const, attrs: { perm: [0, 2, 1] }, inputs: [a] };
  checkFiniteDifferences(t, 'transpose');
  checkTfjs(t, ([x]) => tf.transpose(x, [0, 2, 1]), 'transpose');
  const x4 = randTensor([2, 3, 4, 5], 202);
  for (const type of ['mean', 'sum', 'max'] as const) {
    const rc = { op: 'reduce' as const, attrs: { type, axes: [1, 2], keepDims: false }, inputs: [x4] };
    checkFiniteDifferences(rc, `reduce ${type}`, { eps: 1e-3 });
    checkTfjs(rc, ([x]) => (type === 'mean' ? tf.mean(x, [1, 2]) : type === 'sum' ? tf.sum(x, [1, 2]) : tf.max(x, [1, 2])), `reduce ${type}`);
  }
  const id = { op: 'identity' as const, attrs: {}, inputs: [a] };
  checkFiniteDifferences(id, 'identity');
});

test('grads: dropout (training_only) masks forward and backward alike, identity at inference', async () => {
  await useCpu();
  const x = randTensor([4, 50], 210);
  const c = { op: 'training_only' as const, attrs: { layerClass: 'Dropout' }, inputs: [x], behaviour: { kind: 'dropout' as const, rate: 0.3 }, training: true };
  const g = checkFiniteDifferences(c, 'dropout training');
  // About 30% dropped, the rest scaled by 1 / 0.7; the gradient has the same mask.
  let dropped = 0;
  for (let i = 0; i < x.data.length; i++) {
    const y = g.y.data[i];
    if (y === 0) dropped++;
    else if (Math.abs(y - x.data[i] / 0.7) > 1e-5) throw new Error(`dropout: kept value ${y} is not x / 0.7 = ${x.data[i] / 0.7}`);
    const dx = (g.grads[0] as Float32Array)[i];
    const want = y === 0 ? 0 : g.seed[i] / 0.7;
    if (Math.abs(dx - want) > 1e-5) throw new Error(`dropout: gradient ${dx}, expected ${want}`);
  }
  if (dropped < 30 || dropped > 90) throw new Error(`dropout: ${dropped} of 200 dropped at rate 0.3`);
  const infer = { ...c, training: false };
  const gi = checkFiniteDifferences(infer, 'dropout inference');
  for (let i = 0; i < x.data.length; i++) if (gi.y.data[i] !== x.data[i]) throw new Error('dropout at inference must be the identity');
  // noise_shape [null, 1]: one mask value per sample.
  const shared = checkFiniteDifferences({ ...c, behaviour: { kind: 'dropout' as const, rate: 0.5, noiseShape: [null, 1] } }, 'dropout noise_shape');
  for (let s = 0; s < 4; s++) {
    const row = Array.from(shared.y.data.subarray(s * 50, (s + 1) * 50));
    const zeros = row.filter((v) => v === 0).length;
    if (zeros !== 0 && zeros !== 50) throw new Error(`dropout noise_shape [None, 1]: row ${s} has ${zeros} zeros`);
  }
});

test('grads: every training forward (inference mode) equals its op reference, with js and wasm kernels', async () => {
  const { opDef } = await import('../../src/ops/registry.js');
  const { analytic } = await import('./grad-check.js');
  const { wasmTrainKernels } = await import('../../src/train/kernels/wasm.js');
  const { jsKernels } = await import('../../src/train/kernels/js.js');
  const conv = convCase(randTensor([2, 9, 8, 3], 300), randTensor([3, 3, 3, 5], 301), randTensor([5], 302), [2, 1], [1, 1], 'same', { fn: 'relu' });
  const cases = [
    { op: 'dense' as const, attrs: { activation: { fn: 'tanh' } as Activation }, inputs: [randTensor([4, 6], 303), randTensor([6, 5], 304), randTensor([5], 305)] },
    conv,
    { ...conv, attrs: { ...conv.attrs, activation: { fn: 'swish' } as Activation } },
    { op: 'pool2d' as const, attrs: { type: 'max' as const, kernel: [2, 2] as [number, number], strides: [2, 2] as [number, number], pads: [0, 1, 0, 1] as [number, number, number, number] }, inputs: [randTensor([2, 5, 5, 6], 306)] },
    { op: 'pool2d' as const, attrs: { type: 'avg' as const, kernel: [3, 3] as [number, number], strides: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number] }, inputs: [randTensor([1, 4, 4, 2], 307)] },
    { op: 'softmax' as const, attrs: { axis: -1 }, inputs: [randTensor([3, 7], 308)] },
    { op: 'batchnorm' as const, attrs: { axis: -1, epsilon: 1e-3 }, inputs: [randTensor([3, 4], 309), randTensor([4], 310), randTensor([4], 311), randTensor([4], 312), randTensor([4], 313, 0.5, 2)] },
  ];
  for (const kernels of [jsKernels, wasmTrainKernels()]) {
    for (const c of cases) {
      const got = analytic({ ...c, kernels } as never).y;
      const want = opDef(c.op).reference(c.inputs, c.attrs as never)[0];
      for (let i = 0; i < want.data.length; i++) {
        if (Math.abs(got.data[i] - want.data[i]) > 1e-5 * (1 + Math.abs(want.data[i]))) throw new Error(`${kernels.name} ${c.op}: forward [${i}] ${got.data[i]} vs reference ${want.data[i]}`);
      }
    }
  }
});

test('grads: depthwise_conv2d and embedding, vs finite differences and TF.js', async () => {
  await useCpu();
  for (const [i, [xs, ks, s, pad, act]] of ([
    [[2, 6, 6, 3], [3, 3, 3, 2], [1, 1], 'same', { fn: 'swish' }],
    [[1, 5, 5, 2], [3, 3, 2, 1], [1, 1], 'same', { fn: 'relu' }],
    [[1, 7, 6, 2], [2, 3, 2, 1], [2, 2], 'valid', { fn: 'tanh' }],
  ] as [number[], number[], [number, number], 'same' | 'valid', Activation][]).entries()) {
    const x = randTensor(xs, 400 + i);
    const w = randTensor(ks, 410 + i);
    const b = randTensor([ks[2] * ks[3]], 420 + i);
    const pads = [...computePads(pad, xs[1], ks[0], s[0]), ...computePads(pad, xs[2], ks[1], s[1])] as [number, number, number, number];
    const c = { op: 'depthwise_conv2d' as const, attrs: { strides: s, dilations: [1, 1] as [number, number], pads, activation: act }, inputs: [x, w, b] };
    checkTfjs(c, ([tx, tw, tb]) => tfActivation(tf.add(tf.depthwiseConv2d(tx as Tfjs.Tensor4D, tw as Tfjs.Tensor4D, s, pad), tb), act), `depthwise #${i}`);
    checkFiniteDifferences(c, `depthwise #${i}`, { eps: act.fn === 'relu' ? 1e-3 : 1e-2 });
  }
  const idx = { shape: [3, 4], data: Float32Array.from([0, 2, 2, 5, 1, 1, 0, 3, 4, 5, 2, 2]) };
  const table = randTensor([6, 3], 430);
  const e = { op: 'embedding' as const, attrs: {}, inputs: [idx, table], discreteInput: true };
  const a = checkFiniteDifferences({ ...e, inputs: [idx, table] }, 'embedding', { eps: 1e-2 });
  const g = tf.grad((t: Tfjs.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor(idx.data, idx.shape, 'int32')), tf.tensor(a.seed, [3, 4, 3]))))(tf.tensor(table.data, table.shape));
  const want = g.dataSync();
  const got = a.grads[1] as Float32Array;
  for (let i = 0; i < want.length; i++) if (Math.abs(got[i] - want[i]) > 1e-5) throw new Error(`embedding gradient [${i}]: ${got[i]} vs TF.js ${want[i]}`);
});
