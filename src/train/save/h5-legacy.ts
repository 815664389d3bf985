// Legacy full-model HDF5 (.h5) in tf.keras 2.x's layout (keras/saving/legacy/hdf5_format.py), which both
// tf.keras 2 and Keras 3 (its legacy_h5_format loader) read: root attributes model_config (Keras 2 JSON),
// keras_version, backend; group model_weights with layer_names / keras_version / backend; one group per
// layer with weight_names ["<layer>/kernel:0", ...] and the datasets at those paths below it
// (model_weights/<layer>/<layer>/kernel:0), and an empty top_level_model_weights group. No training_config /
// optimizer_weights. Compared path by path with a tf.keras 2.14 file in test/train/keras-layout.test.ts.

import type { LayersModel } from '../model.js';
import { keras2Config } from './config.js';
import { writeHdf5 } from './h5.js';

/** The tf.keras version whose .h5 layout this mirrors. */
export const KERAS2_LAYOUT_VERSION = '2.15.0';

export async function kerasH5Bytes(model: LayersModel): Promise<Uint8Array> {
  const layers = model.layers.filter((l) => l.className !== 'InputLayer' || model.className !== 'Sequential');
  return writeHdf5((w) => {
    w.attr(w.root, 'backend', 'tensorflow');
    w.attr(w.root, 'keras_version', KERAS2_LAYOUT_VERSION);
    w.attr(w.root, 'model_config', JSON.stringify(keras2Config(model)));
    const mw = w.group(w.root, 'model_weights');
    w.attr(mw, 'backend', 'tensorflow');
    w.attr(mw, 'keras_version', KERAS2_LAYOUT_VERSION);
    w.attr(mw, 'layer_names', layers.map((l) => l.name as string));
    for (const l of layers) {
      const g = w.group(mw, l.name as string);
      const names = l.variables.map((v) => `${v.path}:0`);
      w.attr(g, 'weight_names', names);
      if (l.variables.length === 0) continue;
      const inner = w.group(g, l.name as string);
      for (const v of l.variables) w.floats(inner, `${v.name}:0`, v.shape, v.data);
    }
    // tf.keras 2.x writes the model's own (here: no) weights in this group, outside layer_names.
    w.attr(w.group(mw, 'top_level_model_weights'), 'weight_names', []);
  });
}
