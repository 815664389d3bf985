// Keras HDF5 files: full models (model.save('x.h5'): a `model_config` attribute plus `model_weights/<layer>`
// groups, Keras 1, 2, tf.keras and Keras 3 legacy), and weights-only files (save_weights: `layer_names` at the
// root) paired with an architecture JSON (model.to_json(), Keras 1 configs, DL4J test configs).

import { ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { Hdf5File, type Hdf5Group } from '../readers/hdf5.js';
import type { ImportedModel } from '../types.js';
import { isJsonObject, looksKeras3, makeDialect } from './config-read.js';
import type { Json } from './config-types.js';
import { legacyH5WeightStore } from './h5-weights.js';
import { isKerasModelJson, parseJsonText, stringField } from './json.js';
import { buildKerasModel } from './model-builder.js';
import type { WeightStore } from './weights.js';

export type KerasH5Kind = 'full-model' | 'weights-only' | 'other';

/** What a Keras HDF5 file holds, from its root attributes. */
export function kerasH5Kind(h5: Hdf5File): KerasH5Kind {
  const attrs = h5.root.attrNames();
  if (attrs.includes('model_config')) return 'full-model';
  if (attrs.includes('layer_names')) return 'weights-only';
  return 'other';
}

/** The group holding `<layer>` weight groups: model_weights in full-model files, the root otherwise. */
function weightsRoot(h5: Hdf5File): Hdf5Group {
  if (kerasH5Kind(h5) === 'full-model') return h5.root.group('model_weights') ?? h5.root;
  if (kerasH5Kind(h5) === 'weights-only') return h5.root;
  throw new ModelFormatError('this HDF5 file holds no Keras weights (no model_config and no layer_names attribute)', { file: h5.file });
}

function storeFor(h5: Hdf5File): (names: ReadonlySet<string>) => WeightStore {
  const root = weightsRoot(h5);
  return (names) => legacyH5WeightStore(root, names, `${root.path} in ${h5.file}`);
}

/** A full-model .h5/.hdf5; `weightsFrom` optionally takes the weights from another Keras HDF5 file. */
export function importKerasH5(h5: Hdf5File, weightsFrom?: Hdf5File, limits: Limits = h5.limits ?? DEFAULT_LIMITS): ImportedModel {
  const text = h5.root.attrString('model_config');
  if (text === undefined) throw new ModelFormatError('no model_config attribute: this is not a full-model Keras HDF5 file', { file: h5.file });
  const model = parseJsonText(text, h5.file, 'the model_config attribute', limits);
  const kerasVersion = h5.root.attrString('keras_version') ?? h5.root.group('model_weights')?.attrString('keras_version');
  const backend = h5.root.attrString('backend');
  const keras3 = isJsonObject(model) && looksKeras3(model);
  return buildKerasModel({
    model,
    file: h5.file,
    format: 'keras-h5',
    dialect: makeDialect(kerasVersion, backend, keras3),
    weights: storeFor(weightsFrom ?? h5),
    meta: { format: 'keras-h5', keras_version: kerasVersion ?? '', backend: backend ?? '', ...(weightsFrom ? { weights: weightsFrom.file } : {}) },
    limits,
  });
}

/** An architecture JSON (to_json / Keras 1 config) with the weights of a Keras HDF5 file (either kind). */
export function importKerasJsonWithH5(json: Json, jsonFile: string, weights: Hdf5File, limits: Limits = weights.limits ?? DEFAULT_LIMITS): ImportedModel {
  if (!isKerasModelJson(json) || !isJsonObject(json)) throw new ModelFormatError('not a Keras model JSON (no class_name/config at the top level)', { file: jsonFile });
  const kerasVersion = stringField(json.keras_version) ?? weights.root.attrString('keras_version');
  const backend = stringField(json.backend) ?? weights.root.attrString('backend');
  return buildKerasModel({
    model: json,
    file: jsonFile,
    format: 'keras-h5',
    dialect: makeDialect(kerasVersion, backend, looksKeras3(json)),
    weights: storeFor(weights),
    meta: { format: 'keras-h5', keras_version: kerasVersion ?? '', backend: backend ?? '', weights: weights.file },
    limits,
  });
}
