// The training API end to end on tiny models: whole-model gradients against TF.js (the same model, loaded
// into TF.js from our TF.js layers export, differentiated with tf.variableGrads), losses and optimizers
// against TF.js, fit / evaluate / predict, seeded reproducibility, callbacks, summary and progress output.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as Tfjs from '@tensorflow/tfjs';
import { callbacks, input, layers, losses, model, optimizers, sequential, type LayersModel, type Loss } from '../../src/train/index.js';
import { ProgressBar } from '../../src/train/progress.js';
import { tfjsFiles } from '../../src/train/save/tfjs.js';
import { Variable } from '../../src/train/variable.js';
import { randTensor } from '../helpers/rand.js';
import { tf, useCpu } from '../ops/tf-oracle.js';

function oneHot(labels: ArrayLike<number>, k: number): Float32Array {
  const out = new Float32Array(labels.length * k);
  for (let i = 0; i < labels.length; i++) out[i * k + labels[i]] = 1;
  return out;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

/** Our gradients of the batch loss (one training step's, without the update) for every trainable variable. */
function ourGrads(m: LayersModel, x: Float32Array, y: Float32Array, n: number): Float32Array[] {
  const before = m.getWeights();
  m.compile({ optimizer: optimizers.sgd(1), loss: m.loss ?? 'categorical_crossentropy', kernels: 'wasm' });
  m.trainOnBatch(x, y);
  // With SGD lr 1, w_new = w - g.
  const after = m.getWeights();
  m.setWeights(before);
  return before.map((w, i) => w.map((v, j) => v - after[i][j]));
}

test('model: whole-model gradients (conv, batchnorm in training mode, pool, dense, softmax + crossentropy) equal TF.js tf.variableGrads', async () => {
  await useCpu();
  const m = sequential([
    input([7, 7, 2]),
    layers.conv2d(3, 3, { padding: 'same', activation: 'relu' }),
    layers.batchNormalization(),
    layers.maxPooling2d(2, { padding: 'same' }),
    layers.conv2d(4, 2, { activation: 'tanh' }),
    layers.flatten(),
    layers.dense(5, { activation: 'sigmoid' }),
    layers.dense(3, { activation: 'softmax' }),
  ], { seed: 4 });
  m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
  const n = 6;
  const x = randTensor([n, 7, 7, 2], 1).data;
  const y = oneHot([0, 1, 2, 2, 1, 0], 3);
  const tm = await tf.loadLayersModel(tf.io.fromMemory(tfjsFiles(m).artifacts));
  const ours = ourGrads(m, x, y, n);
  const xs = tf.tensor(x, [n, 7, 7, 2]);
  const ys = tf.tensor(y, [n, 3]);
  const trainable = tm.trainableWeights.map((w) => w.read() as Tfjs.Variable);
  const { grads } = tf.variableGrads(() => {
    const p = tm.apply(xs, { training: true }) as Tfjs.Tensor;
    return tf.mean(tf.neg(tf.sum(tf.mul(ys, tf.log(p)), -1))) as Tfjs.Scalar;
  }, trainable);
  const ourTrainable = m.variables.map((v, i) => ({ v, g: ours[i] })).filter(({ v }) => v.trainable);
  assert.equal(ourTrainable.length, trainable.length);
  ourTrainable.forEach(({ v, g }, i) => close(g, grads[trainable[i].name].dataSync(), 2e-4, `gradient of ${v.path}`));
  tf.dispose([xs, ys, ...Object.values(grads)]);
});

test('model: functional model gradients (shared input, add, concatenate, logits loss) equal TF.js', async () => {
  await useCpu();
  const inp = input([5]);
  const a = layers.dense(4, { activation: 'elu' }).apply(inp);
  const b = layers.dense(4).apply(inp);
  const c = layers.concatenate().apply([layers.add().apply([a, b]), b]);
  const out = layers.dense(3).apply(c);
  const m = model({ inputs: inp, outputs: out, seed: 2 });
  m.compile({ optimizer: 'sgd', loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
  const x = randTensor([8, 5], 3).data;
  const labels = new Float32Array([0, 1, 2, 0, 1, 2, 2, 1]);
  const ours = ourGrads(m, x, labels, 8);
  const tm = await tf.loadLayersModel(tf.io.fromMemory(tfjsFiles(m).artifacts));
  const trainable = tm.trainableWeights.map((w) => w.read() as Tfjs.Variable);
  const xs = tf.tensor(x, [8, 5]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, tm.apply(xs) as Tfjs.Tensor) as Tfjs.Scalar, trainable);
  m.variables.forEach((v, i) => close(ours[i], grads[trainable[i].name].dataSync(), 2e-4, `gradient of ${v.path}`));
});

/** TF.js forms of the losses (Keras formulas, mean over the batch). */
const TF_LOSSES: [string, () => Loss, (y: Tfjs.Tensor, p: Tfjs.Tensor) => Tfjs.Tensor, 'probs' | 'logits' | 'any' | 'binary'][] = [
  ['categorical_crossentropy', () => losses.categoricalCrossentropy(), (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(tf.div(p, tf.sum(p, -1, true)), 1e-7, 1 - 1e-7))), -1))), 'probs'],
  ['categorical_crossentropy from logits', () => losses.categoricalCrossentropy({ fromLogits: true }), (y, p) => tf.losses.softmaxCrossEntropy(y, p), 'logits'],
  ['binary_crossentropy', () => losses.binaryCrossentropy(), (y, p) => {
    const c = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    return tf.mean(tf.neg(tf.add(tf.mul(y, tf.log(c)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, c))))));
  }, 'binary'],
  ['binary_crossentropy from logits', () => losses.binaryCrossentropy({ fromLogits: true }), (y, p) => tf.losses.sigmoidCrossEntropy(y, p), 'logits'],
  ['mean_squared_error', () => losses.meanSquaredError(), (y, p) => tf.losses.meanSquaredError(y, p), 'any'],
  ['huber', () => losses.huber(), (y, p) => tf.losses.huberLoss(y, p), 'any'],
];

test('losses: values and gradients equal TF.js (crossentropies, MSE, Huber)', async () => {
  await useCpu();
  const n = 5;
  const k = 4;
  for (const [name, make, tfLoss, kind] of TF_LOSSES) {
    const raw = randTensor([n, k], 7, kind === 'any' ? -3 : kind === 'logits' ? -4 : 0.05, kind === 'any' ? 3 : kind === 'logits' ? 4 : 1).data;
    const target = kind === 'binary' || (kind === 'logits' && name.startsWith('binary')) ? randTensor([n, k], 8, 0, 1).data.map((v) => (v > 0.5 ? 1 : 0)) : kind === 'any' ? randTensor([n, k], 9, -2, 2).data : oneHot([0, 3, 1, 2, 2], k);
    const pred = kind === 'probs' ? raw : raw;
    const loss = make();
    const { loss: value, grad } = loss.compute(pred, target, n);
    const p = tf.tensor(pred, [n, k]);
    const y = tf.tensor(target, [n, k]);
    const want = tfLoss(y, p).dataSync()[0];
    assert.ok(Math.abs(value - want) <= 1e-5 * (1 + Math.abs(want)), `${name}: loss ${value} vs TF.js ${want}`);
    const g = tf.grad((q: Tfjs.Tensor) => tfLoss(y, q))(p);
    close(grad, g.dataSync(), 1e-4, `${name} gradient`);
  }
  // Sparse labels give the same as one-hot.
  const probs = randTensor([3, 4], 10, 0.1, 1).data;
  const dense = losses.categoricalCrossentropy().compute(probs, oneHot([2, 0, 3], 4), 3);
  const sparse = losses.sparseCategoricalCrossentropy().compute(probs, [2, 0, 3], 3);
  assert.ok(Math.abs(dense.loss - sparse.loss) < 1e-9);
  close(sparse.grad, dense.grad, 1e-7, 'sparse vs one-hot gradient');
});

test('optimizers: SGD (momentum, nesterov), Adam and RMSprop follow TF.js step for step', async () => {
  await useCpu();
  const w0 = randTensor([12], 11).data;
  const target = randTensor([12], 12).data;
  // Loss sum((w - t)^2 * c) with varied curvature; 5 steps.
  const curv = new Float32Array(12).map((_, i) => 0.5 + i / 6);
  const cases: [string, () => import('../../src/train/optimizers.js').Optimizer, () => Tfjs.Optimizer][] = [
    ['sgd', () => optimizers.sgd(0.05), () => tf.train.sgd(0.05)],
    ['sgd momentum', () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), () => tf.train.momentum(0.05, 0.9, false)],
    ['sgd nesterov', () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }), () => tf.train.momentum(0.05, 0.9, true)],
    ['adam', () => optimizers.adam({ learningRate: 0.01, epsilon: 1e-7 }), () => tf.train.adam(0.01, 0.9, 0.999, 1e-7)],
    ['rmsprop', () => optimizers.rmsprop({ learningRate: 0.01, epsilon: 1e-7 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false)],
    ['rmsprop momentum', () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, epsilon: 1e-7 }), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, false)],
    ['rmsprop centered', () => optimizers.rmsprop({ learningRate: 0.01, centered: true, epsilon: 1e-7 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true)],
  ];
  for (const [name, ours, theirs] of cases) {
    const v = new Variable('w/kernel', [12], w0.slice(), true);
    const opt = ours();
    const tv = tf.variable(tf.tensor1d(w0));
    const topt = theirs();
    for (let s = 0; s < 5; s++) {
      const g = v.data.map((w, i) => 2 * (w - target[i]) * curv[i]);
      opt.apply([v], [g]);
      topt.minimize(() => tf.sum(tf.mul(tf.square(tf.sub(tv, tf.tensor1d(target))), tf.tensor1d(curv))) as Tfjs.Scalar, false, [tv]);
    }
    // Adam: Keras adds epsilon to sqrt(v) with the bias correction folded into the step, TF.js to sqrt(v-hat):
    // the same up to epsilon-sized terms.
    close(v.data, tv.dataSync(), 1e-5, name);
  }
});

test('model: fit learns a separable problem, evaluate / predict agree, history and seeds reproduce', async () => {
  const make = (seed: number): LayersModel =>
    sequential([input([2]), layers.dense(8, { activation: 'tanh' }), layers.dropout(0.1), layers.dense(2, { activation: 'softmax' })], { seed });
  const n = 200;
  const x = randTensor([n, 2], 21).data;
  const y = new Float32Array(n).map((_, i) => (x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0));
  const run = async (seed: number): Promise<{ m: LayersModel; h: import('../../src/train/index.js').History }> => {
    const m = make(seed);
    m.compile({ optimizer: optimizers.adam(0.05), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const h = await m.fit(x, y, { batchSize: 20, epochs: 25, verbose: 0, validationSplit: 0.2 });
    return { m, h };
  };
  const a = await run(3);
  const b = await run(3);
  const c = await run(4);
  assert.deepEqual(a.m.getWeights(), b.m.getWeights(), 'same seed, same weights');
  assert.notDeepEqual(a.m.getWeights(), c.m.getWeights(), 'another seed, other weights');
  assert.equal(a.h.epoch.length, 25);
  assert.deepEqual(Object.keys(a.h.history), ['loss', 'accuracy', 'val_loss', 'val_accuracy']);
  assert.ok(a.h.history.loss[24] < a.h.history.loss[0] * 0.5, `loss fell: ${a.h.history.loss[0]} -> ${a.h.history.loss[24]}`);
  const ev = a.m.evaluate(x, y);
  assert.ok(ev.accuracy > 0.9, `accuracy ${ev.accuracy}`);
  const p = a.m.predict(x);
  let hits = 0;
  for (let i = 0; i < n; i++) if ((p[2 * i + 1] > p[2 * i] ? 1 : 0) === y[i]) hits++;
  assert.ok(Math.abs(hits / n - ev.accuracy) < 1e-9, 'evaluate accuracy = predict argmax accuracy');
  // The validation logs are evaluate() on the last 20% (taken before shuffling, as Keras does).
  const last = a.m.evaluate(x.subarray(160 * 2), y.subarray(160));
  assert.ok(Math.abs(last.loss - a.h.history.val_loss[24]) < 1e-6);
});

test('callbacks: earlyStopping stops on a plateau and restores the best weights; hooks run in order', async () => {
  const m = sequential([input([3]), layers.dense(2, { activation: 'softmax' })]);
  // Learning rate so high that the loss bounces: a plateau appears quickly.
  m.compile({ optimizer: optimizers.sgd(50), loss: 'sparse_categorical_crossentropy' });
  const x = randTensor([40, 3], 30).data;
  const y = new Float32Array(40).map((_, i) => i % 2);
  const events: string[] = [];
  let best = Infinity;
  let bestWeights: Float32Array[] = [];
  const es = callbacks.earlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
  const spy = {
    onTrainBegin: () => void events.push('train-begin'),
    onEpochEnd: (e: number, logs: Record<string, number>) => {
      events.push(`epoch-${e}`);
      if (logs.loss < best) {
        best = logs.loss;
        bestWeights = m.getWeights();
      }
    },
    onTrainEnd: () => void events.push('train-end'),
  };
  const h = await m.fit(x, y, { epochs: 30, batchSize: 40, verbose: 0, callbacks: [spy, es] });
  assert.ok(h.epoch.length < 30, `stopped early after ${h.epoch.length} epochs`);
  assert.equal(es.stoppedEpoch, h.epoch.length - 1);
  assert.equal(events[0], 'train-begin');
  assert.equal(events[events.length - 1], 'train-end');
  assert.deepEqual(m.getWeights(), bestWeights, 'restored the weights of the best epoch');
});

test('progress: Keras-style bar, redrawn with \\r on a TTY, one plain line per epoch otherwise', async () => {
  const bar = new ProgressBar(1875, { tty: false, write: () => undefined });
  const line = bar.line(1875, { loss: 0.12341, accuracy: 0.965 }, true);
  assert.match(line, /^1875\/1875 \[==============================\] - \d+s \d+(us|ms)\/step - loss: 0\.1234 - accuracy: 0\.9650$/);
  assert.match(bar.line(32, { loss: 1 }, false), /^  32\/1875 \[\.{30}\] - ETA: \d+s - loss: 1\.0000$/);
  assert.match(bar.line(1000, {}, false), /^1000\/1875 \[=+>\.+\] - ETA: /);
  const m = sequential([input([2]), layers.dense(2, { activation: 'softmax' })]);
  m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  const x = randTensor([64, 2], 40).data;
  const y = new Float32Array(64).map((_, i) => i % 2);
  let plain = '';
  await m.fit(x, y, { epochs: 2, batchSize: 8, progress: { tty: false, write: (t) => (plain += t) } });
  const lines = plain.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], 'Epoch 1/2');
  assert.match(lines[1], /^8\/8 \[={30}\] - \d+s \d+(us|ms)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/);
  assert.ok(!plain.includes('\r'));
  let tty = '';
  await m.fit(x, y, { epochs: 1, batchSize: 8, progress: { tty: true, write: (t) => (tty += t) } });
  assert.ok(tty.includes('\r'), 'TTY output redraws in place');
  assert.match(tty, /\r8\/8 \[={30}\] - \d+s .*\n$/);
});

test('model: summary() is the Keras table with parameter totals', () => {
  const m = sequential([input([28, 28, 1]), layers.conv2d(32, 3, { activation: 'relu' }), layers.batchNormalization(), layers.flatten(), layers.dense(10)]);
  const s = m.summary();
  assert.match(s, /^Model: "sequential"/);
  assert.match(s, /conv2d \(Conv2D\)\s+\(None, 26, 26, 32\)\s+320/);
  assert.match(s, /batch_normalization \(BatchNormalization\)\s+\(None, 26, 26, 32\)\s+128/);
  assert.match(s, /dense \(Dense\)\s+\(None, 10\)\s+216,330/);
  assert.match(s, /Total params: 216,778\nTrainable params: 216,714\nNon-trainable params: 64$/);
});

test('model: a frozen layer (trainable = false) keeps its weights; trainable params reflect it', async () => {
  const m = sequential([input([4]), layers.dense(5, { activation: 'relu', name: 'frozen' }), layers.dense(2, { activation: 'softmax' })]);
  const frozenLayer = m.getLayer('frozen');
  frozenLayer.trainable = false;
  m.compile({ optimizer: optimizers.sgd(0.5), loss: 'sparse_categorical_crossentropy' });
  const before = m.getWeights();
  await m.fit(randTensor([16, 4], 50).data, new Float32Array(16).map((_, i) => i % 2), { epochs: 2, verbose: 0 });
  const after = m.getWeights();
  assert.deepEqual(after.slice(0, 2), before.slice(0, 2), 'frozen layer unchanged');
  assert.notDeepEqual(after.slice(2), before.slice(2), 'the other layer trained');
  assert.match(m.summary(), /Trainable params: 12\nNon-trainable params: 25$/);
});

test('callbacks: learningRateScheduler sets the rate before each epoch and logs it', async () => {
  const m = sequential([input([3]), layers.dense(2, { activation: 'softmax' })]);
  m.compile({ optimizer: optimizers.sgd(0.1), loss: 'sparse_categorical_crossentropy' });
  const seen: number[] = [];
  const h = await m.fit(randTensor([8, 3], 60).data, new Float32Array(8).map((_, i) => i % 2), {
    epochs: 3,
    verbose: 0,
    callbacks: [callbacks.learningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr / 2)), { onEpochBegin: () => void seen.push(m.optimizer?.learningRate ?? NaN) }],
  });
  assert.deepEqual(seen, [0.1, 0.05, 0.025]);
  assert.deepEqual(h.history.learning_rate, [0.1, 0.05, 0.025]);
});
