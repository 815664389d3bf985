// .keras archives as Keras 3 writes them (keras/src/saving/saving_lib.py): a zip of metadata.json,
// config.json and model.weights.h5, whose layout is `layers/<layer>/vars/<i>` (one dataset per variable in
// the layer's weight order, an empty `vars` group for layers without weights) and an empty root `vars`.
// No compile_config and no optimizer state: a loaded model is compiled again before training.

import { zipSync } from 'fflate';
import type { LayersModel } from '../model.js';
import { kerasV3Config } from './config.js';
import { writeHdf5 } from './h5.js';

/** The Keras version whose file layout this mirrors (config style, weights layout). */
export const KERAS3_LAYOUT_VERSION = '3.1.1';

function dateSaved(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export async function kerasV3Weights(model: LayersModel): Promise<Uint8Array> {
  const layers = model.layers;
  return writeHdf5((w) => {
    const container = w.group(w.root, 'layers');
    for (const l of layers) {
      const vars = w.group(w.group(container, l.name as string), 'vars');
      l.variables.forEach((v, i) => w.floats(vars, String(i), v.shape, v.data));
    }
    w.group(w.root, 'vars');
  });
}

export async function kerasV3Bytes(model: LayersModel): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const metadata = enc.encode(JSON.stringify({ keras_version: KERAS3_LAYOUT_VERSION, date_saved: dateSaved() }));
  const config = enc.encode(JSON.stringify(kerasV3Config(model)));
  const weights = await kerasV3Weights(model);
  // Stored, not deflated: Keras writes the archive with ZIP_STORED too.
  return zipSync({ 'metadata.json': metadata, 'config.json': config, 'model.weights.h5': weights }, { level: 0 });
}
