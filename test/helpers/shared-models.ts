// The Keras-family model files of ../shared/models (Keras .h5/.hdf5, .keras, TF.js layers), as the MANIFEST
// describes them: how to open each, its input shape, measured accuracy and shipped reference data. Shared by
// test/e2e/shared-models.test.ts and scripts/make-mnist-goldens.mjs.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load, type Model } from '../../src/index.js';
import type { Session } from '../../src/runtime/session.js';
import { opDef } from '../../src/ops/registry.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { parseNpy } from '../../src/formats/readers/npy.js';
import { Hdf5File } from '../../src/formats/readers/hdf5.js';

export const SHARED = resolve(process.cwd(), '../shared/models');
export const HAVE_SHARED = existsSync(join(SHARED, 'MANIFEST.md'));
export const sharedPath = (p: string): string => join(SHARED, p);

export type How =
  | { kind: 'file'; path: string }
  /** Architecture JSON + weights-only HDF5, loaded together. */
  | { kind: 'pair'; json: string; weights: string }
  /** Weights-only HDF5 whose architecture is not in any file: a topology we write from the MANIFEST row. */
  | { kind: 'pair-inline'; topology: object; weights: string };

export interface Case {
  /** The MANIFEST's local path (the table's first column). */
  readonly id: string;
  readonly how: How;
  /** Per-sample input shape the MANIFEST gives. */
  readonly input: readonly number[];
  /** MANIFEST "Measured" accuracy in percent (full t10k, /255), for MNIST classifiers. */
  readonly accuracy?: number;
  /** Which output is the classifier (multi-output TF.js visualisation models: the last). */
  readonly output?: 'first' | 'last';
  /** Reference data shipped with the model. */
  readonly reference?: { kind: 'dl4j-h5'; file: string; input: string; prediction: string } | { kind: 'npy'; input: string; prediction: string };
  /** Compare against TF.js loading the same TF.js layers file. */
  readonly tfjs?: boolean;
}

const k2 = (p: string) => `keras-h5/${p}`;

/** Keras 2.2.2 `model.to_json()` of the keras mnist_mlp example with suertang's layer names (dense_4..6). */
const SUERTANG_TOPOLOGY = {
  class_name: 'Sequential',
  keras_version: '2.2.2',
  backend: 'tensorflow',
  config: {
    name: 'sequential_2',
    layers: [
      { class_name: 'Dense', config: { name: 'dense_4', trainable: true, batch_input_shape: [null, 784], dtype: 'float32', units: 512, activation: 'relu', use_bias: true } },
      { class_name: 'Dropout', config: { name: 'dropout_3', trainable: true, rate: 0.2, noise_shape: null, seed: null } },
      { class_name: 'Dense', config: { name: 'dense_5', trainable: true, units: 512, activation: 'relu', use_bias: true } },
      { class_name: 'Dropout', config: { name: 'dropout_4', trainable: true, rate: 0.2, noise_shape: null, seed: null } },
      { class_name: 'Dense', config: { name: 'dense_6', trainable: true, units: 10, activation: 'softmax', use_bias: true } },
    ],
  },
};

export const CASES: readonly Case[] = [
  // ---- part A
  { id: k2('tensorspace-keras-mnist/mnist.h5'), how: { kind: 'file', path: k2('tensorspace-keras-mnist/mnist.h5') }, input: [28, 28], accuracy: 98.66 },
  { id: k2('tensorspace-keras-separated/{topology.json, weights.h5}'), how: { kind: 'pair', json: k2('tensorspace-keras-separated/topology.json'), weights: k2('tensorspace-keras-separated/weights.h5') }, input: [28, 28], accuracy: 98.66 },
  { id: k2('tensorspace-helloworld-tfkeras/tf_keras_model.h5'), how: { kind: 'file', path: k2('tensorspace-helloworld-tfkeras/tf_keras_model.h5') }, input: [28, 28], accuracy: 98.54 },
  { id: k2('llsourcell-weights-only/{model.json, model.h5}'), how: { kind: 'pair', json: k2('llsourcell-weights-only/model.json'), weights: k2('llsourcell-weights-only/model.h5') }, input: [28, 28, 1], accuracy: 99.21 },
  {
    id: k2('dl4j-mnist-mlp-keras1/{…config.json, …weights.h5}'),
    how: { kind: 'pair', json: k2('dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_config.json'), weights: k2('dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_weights.h5') },
    input: [784], accuracy: 98.39,
    reference: { kind: 'dl4j-h5', file: k2('dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_inputs_and_outputs.h5'), input: 'inputs/dense_input_1', prediction: 'predictions/activation_3' },
  },
  {
    id: k2('dl4j-mnist-mlp-keras2/{…config.json, …weights.h5}'),
    how: { kind: 'pair', json: k2('dl4j-mnist-mlp-keras2/mnist_mlp_tf_keras_2_config.json'), weights: k2('dl4j-mnist-mlp-keras2/mnist_mlp_tf_keras_2_weights.h5') },
    input: [784], accuracy: 96.05,
    reference: { kind: 'dl4j-h5', file: k2('dl4j-mnist-mlp-keras2/mnist_mlp_tf_keras_2_inputs_and_outputs.h5'), input: 'inputs/dense_1_input', prediction: 'predictions/dense_3' },
  },
  {
    id: k2('dl4j-cnn-batchnorm-tiny/cnn_batch_norm.h5'), how: { kind: 'file', path: k2('dl4j-cnn-batchnorm-tiny/cnn_batch_norm.h5') }, input: [10, 10, 3],
    reference: { kind: 'npy', input: k2('dl4j-cnn-batchnorm-tiny/input.npy'), prediction: k2('dl4j-cnn-batchnorm-tiny/predictions.npy') },
  },
  { id: k2('ab2005-mnist-mlp-keras1.2/mnist.model.best.hdf5'), how: { kind: 'file', path: k2('ab2005-mnist-mlp-keras1.2/mnist.model.best.hdf5') }, input: [28, 28], accuracy: 97.06 },
  { id: k2('kruthikk-mnist-softmax-keras2.0/mnist.model.best.hdf5'), how: { kind: 'file', path: k2('kruthikk-mnist-softmax-keras2.0/mnist.model.best.hdf5') }, input: [28, 28], accuracy: 89.59 },
  { id: k2('kzarama-mnist-keras2.14/mnist.h5'), how: { kind: 'file', path: k2('kzarama-mnist-keras2.14/mnist.h5') }, input: [28, 28, 1], accuracy: 99.40 },
  { id: 'keras-v3/kzarama-mnist-keras2.14/mnist.keras', how: { kind: 'file', path: 'keras-v3/kzarama-mnist-keras2.14/mnist.keras' }, input: [8, 8, 1] },
  { id: 'tfjs-layers/kzarama-mnist/model.json', how: { kind: 'file', path: 'tfjs-layers/kzarama-mnist/model.json' }, input: [28, 28, 1], accuracy: 99.40 },
  { id: 'tfjs-layers/tensorspace-keras-converted/model.json', how: { kind: 'file', path: 'tfjs-layers/tensorspace-keras-converted/model.json' }, input: [28, 28], accuracy: 98.66, output: 'last' },
  { id: 'tfjs-layers/tensorspace-lenet-tfjs0.7.5/mnist.json', how: { kind: 'file', path: 'tfjs-layers/tensorspace-lenet-tfjs0.7.5/mnist.json' }, input: [28, 28, 1], accuracy: 97.64, output: 'last' },
  // ---- part B
  // saikatbsk ships weights only; the MANIFEST notes llsourcell's Keras 1 JSON is the same keras mnist_cnn and fits them.
  { id: k2('saikatbsk-keras1-cnn-weights/mnist_weights.h5 (+ llsourcell model.json)'), how: { kind: 'pair', json: k2('llsourcell-weights-only/model.json'), weights: k2('saikatbsk-keras1-cnn-weights/mnist_weights.h5') }, input: [28, 28, 1], accuracy: 99.23 },
  { id: k2('suertang-keras222-mlp-weights/mnist_mlp.h5 (+ topology from the MANIFEST)'), how: { kind: 'pair-inline', topology: SUERTANG_TOPOLOGY, weights: k2('suertang-keras222-mlp-weights/mnist_mlp.h5') }, input: [784], accuracy: 98.31 },
  { id: k2('suertang-tfkeras216-bn-regressor/CRIN.h5'), how: { kind: 'file', path: k2('suertang-tfkeras216-bn-regressor/CRIN.h5') }, input: [20] },
  { id: k2('yjs-keras3-mlp-bn/mnist_mlp.h5'), how: { kind: 'file', path: k2('yjs-keras3-mlp-bn/mnist_mlp.h5') }, input: [784], accuracy: 98.30 },
  { id: k2('c3nz-keras224-cnn/mnist.h5'), how: { kind: 'file', path: k2('c3nz-keras224-cnn/mnist.h5') }, input: [28, 28, 1], accuracy: 97.54 },
  { id: k2('r4ghu-keras204-cnn/mnistCNN.h5'), how: { kind: 'file', path: k2('r4ghu-keras204-cnn/mnistCNN.h5') }, input: [28, 28, 1], accuracy: 99.10 },
  { id: k2('moonflower-keras311-cnn-legacyh5/mnist_model.h5'), how: { kind: 'file', path: k2('moonflower-keras311-cnn-legacyh5/mnist_model.h5') }, input: [28, 28, 1], accuracy: 99.28 },
  { id: 'keras-v3/moonflower-keras311-cnn/mnist_model.keras', how: { kind: 'file', path: 'keras-v3/moonflower-keras311-cnn/mnist_model.keras' }, input: [28, 28, 1], accuracy: 99.18 },
  { id: 'keras-v3/mobtd10-keras312-mlp/mnist_model.keras', how: { kind: 'file', path: 'keras-v3/mobtd10-keras312-mlp/mnist_model.keras' }, input: [28, 28], accuracy: 97.61 },
  { id: 'keras-v3/sannmyatmin-keras3113-mlp/mnist_model.keras', how: { kind: 'file', path: 'keras-v3/sannmyatmin-keras3113-mlp/mnist_model.keras' }, input: [784], accuracy: 97.97 },
  { id: 'keras-v3/subhadip-keras310-cnn/Subhadip_Hensh_MNIST_CNN.keras', how: { kind: 'file', path: 'keras-v3/subhadip-keras310-cnn/Subhadip_Hensh_MNIST_CNN.keras' }, input: [28, 28, 1], accuracy: 98.88 },
  { id: 'keras-v3/subhadip-keras380-mlp/Digit_Recognition_MLP.keras', how: { kind: 'file', path: 'keras-v3/subhadip-keras380-mlp/Digit_Recognition_MLP.keras' }, input: [28, 28], accuracy: 97.28 },
  { id: 'tfjs/rexhuang-keras224-cnn-layers-legacy/model.json', how: { kind: 'file', path: 'tfjs/rexhuang-keras224-cnn-layers-legacy/model.json' }, input: [28, 28, 1], accuracy: 98.43 },
  { id: 'tfjs/rexhuang-keras224-cnn-bn-layers-legacy/model.json', how: { kind: 'file', path: 'tfjs/rexhuang-keras224-cnn-bn-layers-legacy/model.json' }, input: [28, 28, 1], accuracy: 58.13, tfjs: true },
];


/** Opens a case: a model file by path; a JSON + weights-only HDF5 pair with { weightsPath }. */
export async function openModel(how: How): Promise<Model> {
  switch (how.kind) {
    case 'file':
      return load(sharedPath(how.path));
    case 'pair':
      return load(sharedPath(how.json), { weightsPath: sharedPath(how.weights) });
    case 'pair-inline': {
      // our topology in memory, the real weights file beside it
      const weightsName = how.weights.split('/').pop() as string;
      const source = memoryFileSource(`${how.weights.slice(0, how.weights.lastIndexOf('/'))}/topology.json`, {
        'topology.json': new TextEncoder().encode(JSON.stringify(how.topology)),
        [weightsName]: readFileSync(sharedPath(how.weights)),
      });
      return load(source, { weightsPath: weightsName });
    }
  }
}

/** A dataset of a reference-data HDF5 file, through kerasrt's own HDF5 reader. */
export function readH5Dataset(path: string, dataset: string): { shape: number[]; data: Float32Array } {
  const h5 = Hdf5File.open(new Uint8Array(readFileSync(path)), path);
  const d = h5.root.dataset(dataset);
  assert.ok(d, `${path}: no dataset ${dataset}`);
  return { shape: d.shape, data: d.readFloat32() };
}

/** The shipped reference inputs and Keras predictions of a case. */
export function readReference(r: NonNullable<Case['reference']>): { x: Float32Array; want: Float32Array; n: number } {
  if (r.kind === 'dl4j-h5') {
    const x = readH5Dataset(sharedPath(r.file), r.input);
    const y = readH5Dataset(sharedPath(r.file), r.prediction);
    return { x: x.data, want: y.data, n: x.shape[0] };
  }
  const x = parseNpy(readFileSync(sharedPath(r.input)), r.input);
  const y = parseNpy(readFileSync(sharedPath(r.prediction)), r.prediction);
  return { x: x.data, want: y.data, n: x.shape[0] };
}

/** n samples through the session; returns the chosen output, [n, ...]. */
export function runAll(session: Session, x: Float32Array, n: number, which: 'first' | 'last'): Float32Array {
  if (session.outputShapes.length === 1) return session.predictBatch(x, n);
  const outs = session.runBatch([x], n);
  return which === 'last' ? outs[outs.length - 1] : outs[0];
}

export function argmax(a: ArrayLike<number>, at: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[at + i] > a[at + best]) best = i;
  return best;
}

/** Multiply-adds for one sample through the compiled graph (the ops' own cost functions). */
export function macsPerSample(session: Session): number {
  const g = session.graph;
  let total = 0;
  for (const node of g.nodes) {
    const def = opDef(node.op);
    if (!def.cost) continue;
    const shapes = node.inputs.map((id) => (g.values[id]?.shape ?? []).map((d, i) => (i === 0 && d < 0 ? 1 : d)));
    total += (def.cost as (s: number[][], a: unknown) => number)(shapes, node.attrs);
  }
  return total;
}

// ---- golden labels: kerasrt's predicted class for each of the 10 000 test digits, from a full run whose
// accuracy matched the MANIFEST (scripts/make-mnist-goldens.mjs). Subset runs compare against them.

export const GOLDEN_DIR = resolve(process.cwd(), 'test/data/mnist-golden');

export interface Golden {
  readonly file: string;
  /** The MANIFEST's measured accuracy (percent). */
  readonly manifestAccuracy: number;
  /** Accuracy of these labels against the true labels (percent). */
  readonly accuracy: number;
  readonly generatedBy: string;
  /** 10 000 digits, the predicted class of each test image in order. */
  readonly labels: string;
}

export function goldenPath(c: Case): string {
  return join(GOLDEN_DIR, `${c.id.replace(/ \(.*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
}

export function readGolden(c: Case): Golden | undefined {
  const p = goldenPath(c);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Golden) : undefined;
}

export function writeGolden(c: Case, g: Golden): void {
  mkdirSync(GOLDEN_DIR, { recursive: true });
  writeFileSync(goldenPath(c), `${JSON.stringify(g, null, 1)}\n`);
}
