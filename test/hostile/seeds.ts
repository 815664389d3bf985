// Valid model files the hostile corpus and the fuzzers mutate, made in memory at test time: TF.js layers
// artifacts of the founding models and of tiny hand-written configs, legacy Keras HDF5 (full model, and
// architecture JSON + weights-only) and Keras 3 .keras archives written with h5wasm (the HDF5 C library),
// .npy and IDX arrays; small ONNX, frozen GraphDef and TF.js graph MLPs written by graph-seeds.ts. Real
// graph-format files from ../shared/models are added when it exists (bytes are never committed).

import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import h5wasm from 'h5wasm/node';
import { artifactsToFiles, foundingArtifacts, foundingConfig, foundingModel } from '../../src/models/founding.js';
import { encodeNpy } from '../../src/formats/readers/npy.js';
import { graphDefBytes, onnxBytes, onnxMlp, tfjsGraphFiles, tfMlp } from './graph-seeds.js';

export type SeedFormat = 'tfjs-layers' | 'keras-h5' | 'keras-json+h5' | 'keras-v3' | 'npy' | 'idx' | 'onnx' | 'graphdef' | 'tfjs-graph';

export interface Seed {
  readonly id: string;
  readonly format: SeedFormat;
  /** The main file's name (the key of `files` read by readMain). */
  readonly main: string;
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** Per-sample input size, for cases that run the model (NaN propagation). */
  readonly inputSize?: number;
  /** The Keras config inside (for structural mutations of JSON-carrying seeds). */
  readonly config?: unknown;
  /** Named weights in file order (for re-writing seeds with other weights). */
  readonly weights?: readonly SeedWeight[];
}

export interface SeedWeight {
  readonly layer: string;
  readonly variable: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

let ready: Promise<unknown> | undefined;

/**
 * Writes an HDF5 file with h5wasm (to a temporary file: its Node build uses the real file system).
 * `oldFormat` asks for the oldest structures (v0 superblock, symbol tables, version 1 B-trees), as h5py
 * writes by default.
 */
export async function writeH5(build: (f: InstanceType<typeof h5wasm.File>) => void, oldFormat = false): Promise<Uint8Array> {
  ready ??= h5wasm.ready;
  await ready;
  const dir = mkdtempSync(join(tmpdir(), 'kerasrt-h5-'));
  const path = join(dir, 'x.h5');
  try {
    const f = oldFormat ? new h5wasm.File(path, 'w', { libver: ['earliest', 'v110'] }) : new h5wasm.File(path, 'w');
    try {
      build(f);
    } finally {
      f.close();
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- Keras 2 configs (what model.save('x.h5') / to_json() write) ----------

function dense2(name: string, units: number, activation: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { class_name: 'Dense', config: { name, trainable: true, dtype: 'float32', units, activation, use_bias: true, ...extra } };
}

/** The founding beginner model (Dense 784 -> 10, softmax) as a Keras 2 Sequential config. */
export function beginnerKeras2(): Record<string, unknown> {
  return {
    class_name: 'Sequential',
    config: { name: 'sequential', layers: [dense2('dense', 10, 'softmax', { batch_input_shape: [null, 784] })] },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

/** A tiny CNN: Conv2D(2, 3x3, relu) on 6x6x1 -> MaxPooling2D(2) -> Flatten -> Dense(3, softmax). */
export function tinyCnnKeras2(): Record<string, unknown> {
  return {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        {
          class_name: 'Conv2D',
          config: {
            name: 'conv2d', trainable: true, dtype: 'float32', batch_input_shape: [null, 6, 6, 1], filters: 2, kernel_size: [3, 3], strides: [1, 1],
            padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'relu', use_bias: true,
          },
        },
        { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d', trainable: true, dtype: 'float32', pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' } },
        { class_name: 'Flatten', config: { name: 'flatten', trainable: true, dtype: 'float32', data_format: 'channels_last' } },
        dense2('dense', 3, 'softmax'),
      ],
    },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

/** A small functional model: in(4) -> a = Dense(3), b = Dense(3) -> Add -> Dense(2, softmax). Graph attacks use it. */
export function functionalKeras2(): Record<string, unknown> {
  const ref = (n: string): unknown[] => [[[n, 0, 0, {}]]];
  return {
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        { class_name: 'InputLayer', name: 'inp', config: { name: 'inp', batch_input_shape: [null, 4], dtype: 'float32' }, inbound_nodes: [] },
        { ...dense2('a', 3, 'relu'), name: 'a', inbound_nodes: ref('inp') },
        { ...dense2('b', 3, 'tanh'), name: 'b', inbound_nodes: ref('inp') },
        { class_name: 'Add', name: 'add', config: { name: 'add', trainable: true, dtype: 'float32' }, inbound_nodes: [[['a', 0, 0, {}], ['b', 0, 0, {}]]] },
        { ...dense2('out', 2, 'softmax'), name: 'out', inbound_nodes: ref('add') },
      ],
      input_layers: [['inp', 0, 0]],
      output_layers: [['out', 0, 0]],
    },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

/** Deterministic weights in [-0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) - 0.5;
  }
  return out;
}

function w(layer: string, variable: string, shape: readonly number[], seed: number): SeedWeight {
  return { layer, variable, shape, data: values(shape.reduce((a, b) => a * b, 1), seed) };
}

const TINY_CNN_WEIGHTS = (): SeedWeight[] => [w('conv2d', 'kernel', [3, 3, 1, 2], 1), w('conv2d', 'bias', [2], 2), w('dense', 'kernel', [8, 3], 3), w('dense', 'bias', [3], 4)];
const FUNCTIONAL_WEIGHTS = (): SeedWeight[] => [
  w('a', 'kernel', [4, 3], 5), w('a', 'bias', [3], 6), w('b', 'kernel', [4, 3], 7), w('b', 'bias', [3], 8), w('out', 'kernel', [3, 2], 9), w('out', 'bias', [2], 10),
];
const BEGINNER_WEIGHTS = (): SeedWeight[] => foundingModel('beginner', { biases: 'uniform' }).weights.map((x) => ({ layer: x.layer, variable: x.variable, shape: x.shape, data: x.data }));

function layerOrder(weights: readonly SeedWeight[]): string[] {
  return [...new Set(weights.map((x) => x.layer))];
}

/** A legacy full-model HDF5 (model.save('x.h5') in Keras 2): model_config (an object, or JSON text as is) + model_weights/<layer>/<layer>/<var>:0. */
export function kerasH5Bytes(config: unknown, weights: readonly SeedWeight[], oldFormat = false): Promise<Uint8Array> {
  return writeH5((f) => {
    f.create_attribute('model_config', typeof config === 'string' ? config : JSON.stringify(config));
    f.create_attribute('keras_version', '2.15.0');
    f.create_attribute('backend', 'tensorflow');
    const mw = f.create_group('model_weights');
    writeLegacyWeights(mw, weights);
  }, oldFormat);
}

/** A weights-only HDF5 (save_weights in Keras 2): layer_names at the root, one group per layer. */
export function kerasWeightsH5Bytes(weights: readonly SeedWeight[]): Promise<Uint8Array> {
  return writeH5((f) => {
    f.create_attribute('keras_version', '2.15.0');
    f.create_attribute('backend', 'tensorflow');
    writeLegacyWeights(f, weights);
  });
}

type H5Group = ReturnType<InstanceType<typeof h5wasm.File>['create_group']>;

function writeLegacyWeights(root: H5Group | InstanceType<typeof h5wasm.File>, weights: readonly SeedWeight[]): void {
  const layers = layerOrder(weights);
  root.create_attribute('layer_names', layers, null, `S${Math.max(...layers.map((l) => l.length))}`);
  for (const layer of layers) {
    const g = root.create_group(layer);
    const mine = weights.filter((x) => x.layer === layer);
    const names = mine.map((x) => `${layer}/${x.variable}:0`);
    g.create_attribute('weight_names', names, null, `S${Math.max(...names.map((n) => n.length))}`);
    const inner = g.create_group(layer);
    for (const x of mine) inner.create_dataset({ name: `${x.variable}:0`, data: x.data, shape: [...x.shape] });
  }
}

/** A Keras 3 .keras archive: config.json, metadata.json, model.weights.h5 with layers/<name>/vars/N. */
export async function kerasV3Bytes(config: unknown, weights: readonly SeedWeight[], level: 0 | 6 = 0): Promise<Uint8Array> {
  const h5 = await writeH5((f) => {
    const layers = f.create_group('layers');
    for (const layer of layerOrder(weights)) {
      const vars = layers.create_group(layer).create_group('vars');
      weights.filter((x) => x.layer === layer).forEach((x, i) => vars.create_dataset({ name: String(i), data: x.data, shape: [...x.shape] }));
    }
    f.create_group('optimizer').create_group('vars');
    f.create_group('vars');
  });
  return zipSync(
    {
      'metadata.json': [enc(JSON.stringify({ keras_version: '3.3.3', date_saved: '2024-05-01@12:00:00' })), { level }],
      'config.json': [enc(JSON.stringify(config)), { level }],
      'model.weights.h5': [h5, { level }],
    },
    { mtime: new Date('2024-05-01T12:00:00Z') },
  );
}

/** TF.js layers files (model.json + weights.bin) of a Keras config and its weights. */
export function tfjsFilesOf(config: unknown, weights: readonly SeedWeight[]): Record<string, Uint8Array> {
  const total = weights.reduce((a, x) => a + x.data.length, 0);
  const bin = new Float32Array(total);
  let o = 0;
  for (const x of weights) {
    bin.set(x.data, o);
    o += x.data.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'kerasrt hostile corpus',
    convertedBy: null,
    modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: config },
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((x) => ({ name: `${x.layer}/${x.variable}`, shape: x.shape, dtype: 'float32' })) }],
  };
  return { 'model.json': enc(JSON.stringify(json)), 'weights.bin': new Uint8Array(bin.buffer) };
}

/** An IDX file (MNIST container): magic 00 00 <dtype> <rank>, big-endian dims, data. */
export function idxBytes(shape: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const v = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

const SHARED = resolve(process.cwd(), '../shared/models');

/** Graph-format seeds from ../shared/models (never committed): only those present. */
function sharedSeeds(): Seed[] {
  const out: Seed[] = [];
  const add = (id: string, format: SeedFormat, folder: string, main: string, siblings: string[] = []): void => {
    const dir = join(SHARED, folder);
    if (!existsSync(join(dir, main))) return;
    const files: Record<string, Uint8Array> = {};
    for (const f of [main, ...siblings]) files[f] = new Uint8Array(readFileSync(join(dir, f)));
    out.push({ id, format, main, files });
  };
  add('onnx-mnist-cntk', 'onnx', 'onnx/onnx-model-zoo-mnist-cntk', 'model.onnx');
  add('graphdef-tensorspace', 'graphdef', 'tf-frozen-pb/tensorspace-frozen', 'frozen_model.pb');
  add('tfjs-graph-tensorspace', 'tfjs-graph', 'tfjs-graph/tensorspace-graphmodel', 'model.json', ['group1-shard1of1']);
  return out;
}

/** Every seed: the self-made ones always, the shared graph-format ones when ../shared/models is there. */
export async function makeSeeds(options: { shared?: boolean } = {}): Promise<Seed[]> {
  const beginner = foundingModel('beginner', { biases: 'uniform' });
  const beginnerFiles = artifactsToFiles(foundingArtifacts(beginner));
  const cnn = tinyCnnKeras2();
  const fn = functionalKeras2();
  const b2 = beginnerKeras2();
  const seeds: Seed[] = [
    { id: 'tfjs-beginner', format: 'tfjs-layers', main: 'model.json', files: beginnerFiles, inputSize: 784, config: foundingArtifacts(beginner).modelTopology, weights: BEGINNER_WEIGHTS() },
    { id: 'tfjs-functional', format: 'tfjs-layers', main: 'model.json', files: tfjsFilesOf(fn, FUNCTIONAL_WEIGHTS()), inputSize: 4, config: fn, weights: FUNCTIONAL_WEIGHTS() },
    { id: 'tfjs-tiny-cnn', format: 'tfjs-layers', main: 'model.json', files: tfjsFilesOf(cnn, TINY_CNN_WEIGHTS()), inputSize: 36, config: cnn, weights: TINY_CNN_WEIGHTS() },
    { id: 'h5-tiny-cnn', format: 'keras-h5', main: 'model.h5', files: { 'model.h5': await kerasH5Bytes(cnn, TINY_CNN_WEIGHTS()) }, inputSize: 36, config: cnn, weights: TINY_CNN_WEIGHTS() },
    { id: 'h5-tiny-cnn-v0', format: 'keras-h5', main: 'model.h5', files: { 'model.h5': await kerasH5Bytes(cnn, TINY_CNN_WEIGHTS(), true) }, inputSize: 36, config: cnn, weights: TINY_CNN_WEIGHTS() },
    { id: 'h5-beginner', format: 'keras-h5', main: 'model.h5', files: { 'model.h5': await kerasH5Bytes(b2, BEGINNER_WEIGHTS()) }, inputSize: 784, config: b2, weights: BEGINNER_WEIGHTS() },
    {
      id: 'json-h5-functional', format: 'keras-json+h5', main: 'model.json', inputSize: 4, config: fn, weights: FUNCTIONAL_WEIGHTS(),
      files: { 'model.json': enc(JSON.stringify(fn)), 'model.h5': await kerasWeightsH5Bytes(FUNCTIONAL_WEIGHTS()) },
    },
    { id: 'keras-v3-beginner', format: 'keras-v3', main: 'model.keras', files: { 'model.keras': await kerasV3Bytes(foundingConfig('beginner'), BEGINNER_WEIGHTS()) }, inputSize: 784, config: foundingConfig('beginner'), weights: BEGINNER_WEIGHTS() },
    {
      id: 'keras-v3-functional-deflated', format: 'keras-v3', main: 'model.keras', inputSize: 4, config: fn, weights: FUNCTIONAL_WEIGHTS(),
      files: { 'model.keras': await kerasV3Bytes(fn, FUNCTIONAL_WEIGHTS(), 6) },
    },
    { id: 'npy-f32', format: 'npy', main: 'x.npy', files: { 'x.npy': encodeNpy(values(12, 11), [3, 4]) } },
    { id: 'idx-u8', format: 'idx', main: 'x.idx', files: { 'x.idx': idxBytes([2, 3, 3], Uint8Array.from({ length: 18 }, (_, i) => i * 13)) } },
    { id: 'onnx-mlp', format: 'onnx', main: 'model.onnx', files: { 'model.onnx': onnxBytes(onnxMlp()) }, inputSize: 4 },
    { id: 'graphdef-mlp', format: 'graphdef', main: 'model.pb', files: { 'model.pb': graphDefBytes(tfMlp()) }, inputSize: 4 },
    { id: 'tfjs-graph-mlp', format: 'tfjs-graph', main: 'model.json', files: tfjsGraphFiles(tfMlp()), inputSize: 4 },
  ];
  if (options.shared !== false) seeds.push(...sharedSeeds());
  return seeds;
}
