// Loading a saved model to train it further: the architecture from the file's Keras config (.keras
// config.json, .h5 model_config, TF.js modelTopology) through modelFromConfig, the weights through kerasrt's
// own importer (every format and version it reads), matched by name: the importer names each weight constant
// "<layer>/<role>" ("dense/kernel", "batch_normalization/moving_mean"), which is the variable's path here.

import { ModelFormatError } from '../core/errors.js';
import { importModel } from '../formats/load.js';
import { isZip, readZip } from '../formats/readers/zip.js';
import { Hdf5File, isHdf5 } from '../formats/readers/hdf5.js';
import type { FileSource } from '../formats/types.js';
import { modelFromConfig } from './from-config.js';
import type { LayersModel, ModelOptions } from './model.js';

function configOf(bytes: Uint8Array, file: string): unknown {
  const parse = (b: Uint8Array | string, what: string): unknown => {
    try {
      return JSON.parse(typeof b === 'string' ? b : new TextDecoder().decode(b));
    } catch (e) {
      throw new ModelFormatError(`${what} is not valid JSON: ${(e as Error).message}`, { file });
    }
  };
  if (isZip(bytes)) {
    const c = readZip(bytes, file).get('config.json');
    if (!c) throw new ModelFormatError('the .keras archive has no config.json', { file });
    return parse(c, 'config.json');
  }
  if (isHdf5(bytes)) {
    const text = Hdf5File.open(bytes, file).root.attrString('model_config');
    if (text === undefined) throw new ModelFormatError('no model_config attribute (a weights-only file cannot be trained without its architecture)', { file });
    return parse(text, 'model_config');
  }
  const json = parse(bytes, 'the model JSON') as { modelTopology?: { model_config?: unknown } };
  const topo = json.modelTopology;
  if (!topo) return json;
  return topo.model_config ?? topo;
}

/** A trainable model from a .keras, .h5 or TF.js model.json file (path in Node, or a FileSource). */
export async function loadForTraining(source: string | FileSource, options: ModelOptions = {}): Promise<LayersModel> {
  let src: FileSource;
  if (typeof source === 'string') {
    const { nodeFileSource } = await import('../formats/readers/node-file-source.js');
    src = nodeFileSource(source);
  } else src = source;
  const bytes = await src.readMain();
  const model = modelFromConfig(configOf(bytes, src.name), { ...options, file: src.name });
  const imported = await importModel(src);
  const byName = new Map<string, Float32Array>();
  for (const v of imported.graph.values) if (v?.data) byName.set(v.name, v.data);
  for (const v of model.variables) {
    const data = byName.get(v.path);
    if (!data) throw new ModelFormatError(`no weight "${v.path}" in the file`, { file: src.name, where: v.path });
    v.assign(data);
  }
  model.weightsChanged();
  return model;
}
