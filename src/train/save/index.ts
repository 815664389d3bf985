// Saving a trained model. The format follows the path: "*.keras" (Keras 3 archive), "*.h5" / "*.hdf5"
// (legacy full-model HDF5), "*.json" or a folder (TF.js layers: model.json + group1-shard1of1.bin).
// modelBytes() gives the bytes without touching the file system (browsers, tests).

import { UsageError } from '../../core/errors.js';
import type { LayersModel } from '../model.js';
import { kerasH5Bytes } from './h5-legacy.js';
import { kerasV3Bytes } from './keras-v3.js';
import { TFJS_WEIGHTS_FILE, tfjsFiles } from './tfjs.js';

export type SaveFormat = 'keras' | 'h5' | 'tfjs';

export function formatOfPath(path: string): SaveFormat {
  const p = path.toLowerCase();
  if (p.endsWith('.keras')) return 'keras';
  if (p.endsWith('.h5') || p.endsWith('.hdf5')) return 'h5';
  if (p.endsWith('.json') || p.endsWith('/') || !/\.[a-z0-9]+$/.test(p.slice(p.lastIndexOf('/') + 1))) return 'tfjs';
  throw new UsageError(`save: cannot tell the format of "${path}" (use .keras, .h5, or a folder / model.json for TF.js)`);
}

/** The files a save writes, by relative name ("model.keras"; "model.json" + shard for TF.js). */
export async function modelFiles(model: LayersModel, format: SaveFormat): Promise<Record<string, Uint8Array>> {
  switch (format) {
    case 'keras':
      return { 'model.keras': await kerasV3Bytes(model) };
    case 'h5':
      return { 'model.h5': await kerasH5Bytes(model) };
    case 'tfjs': {
      const f = tfjsFiles(model);
      return { 'model.json': new TextEncoder().encode(JSON.stringify(f.modelJson)), [TFJS_WEIGHTS_FILE]: f.weights };
    }
  }
}

export async function saveModel(model: LayersModel, path: string): Promise<void> {
  const format = formatOfPath(path);
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const files = await modelFiles(model, format);
  if (format === 'tfjs') {
    const dir = path.toLowerCase().endsWith('.json') ? dirname(path) : path;
    await mkdir(dir, { recursive: true });
    const jsonName = path.toLowerCase().endsWith('.json') ? path : join(dir, 'model.json');
    await writeFile(jsonName, files['model.json']);
    await writeFile(join(dir, TFJS_WEIGHTS_FILE), files[TFJS_WEIGHTS_FILE]);
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Object.values(files)[0]);
}
