// .keras archives (Keras 3, and tf.keras 2.13+): a zip of config.json, metadata.json and model.weights.h5.

import { ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { Hdf5File } from '../readers/hdf5.js';
import { limitsWithZip, readZip, type ZipLimits } from '../readers/zip.js';
import type { ImportedModel } from '../types.js';
import { isJsonObject, looksKeras3, makeDialect } from './config-read.js';
import { kerasV3WeightStore } from './h5-weights.js';
import { parseJsonBytes, stringField } from './json.js';
import { buildKerasModel } from './model-builder.js';

/** `limits`: a Limits object (ImportOptions.limits resolved), or for older callers just the ZipLimits. */
export function importKerasV3(bytes: Uint8Array, file: string, limits: Limits | ZipLimits = DEFAULT_LIMITS): ImportedModel {
  const lim = 'maxZipEntries' in limits ? (limits as Limits) : limitsWithZip(DEFAULT_LIMITS, limits as ZipLimits);
  const entries = readZip(bytes, file, lim);
  const need = (name: string): Uint8Array => {
    const e = entries.get(name);
    if (!e) throw new ModelFormatError(`the .keras archive has no ${name} (entries: ${[...entries.keys()].join(', ')})`, { file });
    return e;
  };
  const config = parseJsonBytes(need('config.json'), file, 'config.json', lim);
  const metaBytes = entries.get('metadata.json');
  const meta = metaBytes ? parseJsonBytes(metaBytes, file, 'metadata.json', lim) : null;
  const kerasVersion = isJsonObject(meta) ? stringField(meta.keras_version) : undefined;
  if (entries.has('model.weights.npz') && !entries.has('model.weights.h5')) {
    throw new ModelFormatError('weights stored as model.weights.npz are not supported (only model.weights.h5)', { file });
  }
  const h5 = Hdf5File.open(need('model.weights.h5'), `${file}:model.weights.h5`, lim);
  return buildKerasModel({
    model: config,
    file,
    format: 'keras-v3',
    dialect: makeDialect(kerasVersion, undefined, isJsonObject(config) && looksKeras3(config)),
    weights: () => kerasV3WeightStore(h5.root, `model.weights.h5 in ${file}`),
    meta: { format: 'keras-v3', keras_version: kerasVersion ?? '' },
    limits: lim,
  });
}
