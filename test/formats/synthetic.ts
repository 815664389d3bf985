// Synthetic model files for importer tests: a hand-written Keras config wrapped as a TF.js layers model
// (model.json + weights.bin), the one container that can be written without an HDF5 writer.

import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import type { FileSource } from '../../src/formats/types.js';
import { rng } from '../helpers/rand.js';

export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data?: Float32Array;
}

/** Deterministic values in [-1, 1) for a shape. */
export function values(shape: readonly number[], seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** The files of a TF.js layers model whose topology is `modelConfig` (a Keras model serialization). */
export function tfjsFiles(modelConfig: unknown, weights: readonly NamedWeight[] = [], kerasVersion = '2.15.0'): Record<string, Uint8Array> {
  let seed = 1;
  const datas = weights.map((w) => w.data ?? values(w.shape, seed++));
  const total = datas.reduce((a, d) => a + d.length, 0);
  const bin = new Float32Array(total);
  let o = 0;
  for (const d of datas) {
    bin.set(d, o);
    o += d.length;
  }
  const json = {
    format: 'layers-model',
    modelTopology: { keras_version: kerasVersion, backend: 'tensorflow', model_config: modelConfig },
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
  };
  return { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': new Uint8Array(bin.buffer) };
}

export function tfjsSource(modelConfig: unknown, weights: readonly NamedWeight[] = [], kerasVersion?: string): FileSource {
  return memoryFileSource('synthetic/model.json', tfjsFiles(modelConfig, weights, kerasVersion));
}

/** A Keras 2 Sequential config from {class_name, config} layers (the first carries batch_input_shape). */
export function sequential(layers: readonly { readonly class_name: string; readonly config: Record<string, unknown>; readonly [k: string]: unknown }[]): unknown {
  return { class_name: 'Sequential', config: { name: 'sequential', layers } };
}

export function layer(className: string, name: string, config: Record<string, unknown> = {}): { class_name: string; config: Record<string, unknown> } {
  return { class_name: className, config: { name, ...config } };
}
