// TF.js layers format (what tf.LayersModel.save writes): model.json with format "layers-model", the Keras 2
// topology under modelTopology (keras_version "tfjs-layers ...", backend "tensor_flow.js"), and one weight
// shard, group1-shard1of1.bin, with the float32 weights in manifest order ("<layer>/<variable>").

import type { LayersModel } from '../model.js';
import { keras2Config } from './config.js';

export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';
export const TFJS_LAYERS_VERSION = 'tfjs-layers 4.22.0';

export interface TfjsFiles {
  readonly modelJson: Record<string, unknown>;
  readonly weights: Uint8Array;
  /** The same artifacts as tf.io.fromMemory / withSaveHandler deal in. */
  readonly artifacts: {
    readonly modelTopology: Record<string, unknown>;
    readonly format: 'layers-model';
    readonly generatedBy: string;
    readonly convertedBy: null;
    readonly weightSpecs: { name: string; shape: number[]; dtype: 'float32' }[];
    readonly weightData: ArrayBuffer;
  };
}

export function tfjsFiles(model: LayersModel): TfjsFiles {
  const vars = model.variables;
  const total = vars.reduce((n, v) => n + v.data.length, 0);
  const packed = new Float32Array(total);
  let at = 0;
  for (const v of vars) {
    packed.set(v.data, at);
    at += v.data.length;
  }
  const weightSpecs = vars.map((v) => ({ name: v.path, shape: [...v.shape], dtype: 'float32' as const }));
  const modelTopology = { ...keras2Config(model), keras_version: TFJS_LAYERS_VERSION, backend: 'tensor_flow.js' } as Record<string, unknown>;
  const generatedBy = 'kerasrt 0.1.0';
  const modelJson = { format: 'layers-model', generatedBy, convertedBy: null, modelTopology, weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: weightSpecs }] };
  return {
    modelJson,
    weights: new Uint8Array(packed.buffer),
    artifacts: { modelTopology, format: 'layers-model', generatedBy, convertedBy: null, weightSpecs, weightData: packed.buffer },
  };
}
