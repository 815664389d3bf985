// Training speed, kerasrt against TF.js, in one process on the same model, weights, batch size and real MNIST
// batches: ms per training step (forward, loss, backward, SGD update) for each founding model, the epoch time
// that implies for 60000 images, and the ratio. TF.js runs on its cpu back end (its wasm back end has no conv
// filter gradient: it is tried and reported). Medians over the timed steps, after warm-up steps.
// Run: npm run build && node dist/bench/train-fit.js [--models expert,deep-mnist] [--steps 10] [--tfjs-steps 3]
//      [--batch 128] (prints a table; writes bench/results/train-fit-<time>.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { mnistSplit } from '../src/data/mnist.js';
import { FOUNDING_MODEL_NAMES, type FoundingModelName } from '../src/models/founding.js';
import { foundingTrainable, RECIPES } from '../src/train/recipes.js';
import { optimizers } from '../src/train/optimizers.js';
import { tfjsFiles } from '../src/train/save/tfjs.js';
import type { KernelsName } from '../src/train/kernels/index.js';
import { loadTfjs, loadTfjsWasm } from './peers.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    steps: { type: 'string' },
    'tfjs-steps': { type: 'string' },
    batch: { type: 'string' },
    kernels: { type: 'string' },
  },
});
const models = (values.models ?? 'expert,deep-mnist').split(',') as FoundingModelName[];
for (const m of models) if (!FOUNDING_MODEL_NAMES.includes(m)) throw new Error(`unknown model ${m}`);
const steps = Number(values.steps ?? 10);
const tfSteps = Number(values['tfjs-steps'] ?? 3);
const kernels = (values.kernels ?? 'auto') as KernelsName;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function oneHot(labels: Uint8Array): Float32Array {
  const out = new Float32Array(labels.length * 10);
  labels.forEach((c, i) => (out[i * 10 + c] = 1));
  return out;
}

interface Row {
  model: string;
  path: string;
  batch: number;
  msPerStep: number | null;
  epochSeconds: number | null;
  note: string;
}

const train = await mnistSplit('train');
const rows: Row[] = [];
for (const name of models) {
  const batch = Number(values.batch ?? RECIPES[name].batchSize);
  const shape = name === 'beginner' ? [784] : [28, 28, 1];
  const batches = Array.from({ length: Math.max(steps, tfSteps) + 2 }, (_, i) => {
    const from = (i * batch) % (train.n - batch);
    return { x: train.x.slice(from * 784, (from + batch) * 784), y: oneHot(train.y.subarray(from, from + batch)) };
  });

  const m = foundingTrainable(name, 1);
  m.compile({ optimizer: optimizers.sgd(0.01), loss: 'categorical_crossentropy', kernels });
  const art = tfjsFiles(m).artifacts;
  const times: number[] = [];
  for (let i = 0; i < steps + 2; i++) {
    const t0 = performance.now();
    m.trainOnBatch({ data: batches[i].x, shape: [batch, ...shape] }, batches[i].y);
    if (i >= 2) times.push(performance.now() - t0);
  }
  const ours = median(times);
  rows.push({ model: name, path: `kerasrt (${m.trainingKernels})`, batch, msPerStep: ours, epochSeconds: (ours * 60000) / batch / 1000, note: `${steps} steps` });

  const tfPeer = await loadTfjs();
  for (const backend of ['cpu', 'wasm'] as const) {
    if (!tfPeer.ok) {
      rows.push({ model: name, path: `tfjs-${backend}`, batch, msPerStep: null, epochSeconds: null, note: tfPeer.reason });
      continue;
    }
    const tf = tfPeer.module;
    if (backend === 'wasm') {
      const w = await loadTfjsWasm();
      if (!w.ok) {
        rows.push({ model: name, path: 'tfjs-wasm', batch, msPerStep: null, epochSeconds: null, note: w.reason });
        continue;
      }
    }
    try {
      await tf.setBackend(backend);
      await tf.ready();
      const tm = await tf.loadLayersModel(tf.io.fromMemory(art));
      tm.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
      const tt: number[] = [];
      for (let i = 0; i < tfSteps + 1; i++) {
        const xs = tf.tensor(batches[i].x, [batch, ...shape]);
        const ys = tf.tensor(batches[i].y, [batch, 10]);
        const t0 = performance.now();
        await tm.trainOnBatch(xs, ys);
        if (i >= 1) tt.push(performance.now() - t0);
        tf.dispose([xs, ys]);
      }
      const theirs = median(tt);
      rows.push({ model: name, path: `tfjs-${backend}`, batch, msPerStep: theirs, epochSeconds: (theirs * 60000) / batch / 1000, note: `${tfSteps} steps; kerasrt is ${(theirs / ours).toFixed(1)}x faster` });
      tm.dispose();
    } catch (e) {
      rows.push({ model: name, path: `tfjs-${backend}`, batch, msPerStep: null, epochSeconds: null, note: `cannot train: ${(e as Error).message.split('\n')[0].slice(0, 100)}` });
    }
  }
}

const fmt = (v: number | null, d: number): string => (v === null ? 'n/a' : v.toFixed(d));
console.log(`training speed, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('model       path              batch   ms/step   s/epoch (60000)   note');
for (const r of rows) console.log(`${r.model.padEnd(11)} ${r.path.padEnd(17)} ${String(r.batch).padStart(5)} ${fmt(r.msPerStep, 1).padStart(9)} ${fmt(r.epochSeconds, 1).padStart(17)}   ${r.note}`);
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/train-fit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), rows }, null, 2));
console.log(`wrote ${file}`);
