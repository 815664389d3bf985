// TF.js layers models: model.json ({format: 'layers-model', modelTopology: {keras_version, backend,
// model_config}, weightsManifest}) and the pre-1.0 layouts (no `format`; modelTopology = {keras_version,
// backend, model_config} from tfjs-converter 0.x, or the model config itself as tfjs-layers 0.x saved it).
// Weights are matched to layers by name ("conv2d_1/kernel"), never by manifest position.

import { ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { isJsonObject, looksKeras3, makeDialect } from '../keras/config-read.js';
import type { Json, JsonObject } from '../keras/config-types.js';
import { stringField } from '../keras/json.js';
import { buildKerasModel } from '../keras/model-builder.js';
import { ownerOf, type RawWeight, type WeightStore } from '../keras/weights.js';
import type { FileSource, ImportedModel } from '../types.js';
import { decodeEntry, parseManifest, readShards } from './manifest.js';

/** Layer weights are float32 in the IR (int32 / bool weights of a layers model are rare). */
function float32(v: Float32Array | Float64Array): Float32Array {
  return v instanceof Float32Array ? v : Float32Array.from(v);
}


/** Is this parsed model.json a TF.js layers model (rather than a graph model or something else)? */
export function isTfjsLayersJson(v: Json): v is JsonObject {
  if (!isJsonObject(v) || !isJsonObject(v.modelTopology)) return false;
  if (v.format === 'layers-model') return true;
  if (v.format !== undefined) return false;
  const t = v.modelTopology;
  return isJsonObject(t.model_config) || (typeof t.class_name === 'string' && t.config !== undefined);
}

/** Is it a TF.js graph model (GraphDef as JSON)? */
export function isTfjsGraphJson(v: Json): boolean {
  return isJsonObject(v) && (v.format === 'graph-model' || (isJsonObject(v.modelTopology) && Array.isArray(v.modelTopology.node)));
}

export async function importTfjsLayers(json: JsonObject, source: FileSource, limits: Limits = DEFAULT_LIMITS): Promise<ImportedModel> {
  const file = source.name;
  const topo = json.modelTopology;
  if (!isJsonObject(topo)) throw new ModelFormatError('modelTopology is missing', { file });
  const model = isJsonObject(topo.model_config) ? topo.model_config : topo;
  const kerasVersion = stringField(topo.keras_version) ?? stringField(isJsonObject(model) ? model.keras_version : undefined);
  const backend = stringField(topo.backend);
  const manifest = parseManifest(json.weightsManifest, file, limits);
  const groups = await readShards(manifest, source, limits);
  const weights = (names: ReadonlySet<string>): WeightStore => {
    const byLayer = new Map<string, RawWeight[]>();
    for (const e of manifest.entries) {
      const owner = ownerOf(e.name, names);
      if (owner === undefined) continue;
      const list = byLayer.get(owner) ?? [];
      list.push({ name: e.name, shape: e.shape, read: () => float32(decodeEntry(e, groups, file)) });
      byLayer.set(owner, list);
    }
    return { description: `weightsManifest of ${file}`, layerWeights: (path) => byLayer.get(path[path.length - 1]) ?? [] };
  };
  const format = stringField(json.format);
  return buildKerasModel({
    model,
    file,
    format: 'tfjs-layers',
    dialect: makeDialect(kerasVersion, backend, isJsonObject(model) && looksKeras3(model)),
    weights,
    limits,
    meta: {
      format: 'tfjs-layers',
      keras_version: kerasVersion ?? '',
      backend: backend ?? '',
      ...(format ? { tfjs_format: format } : {}),
      ...(stringField(json.generatedBy) ? { generated_by: stringField(json.generatedBy) as string } : {}),
      ...(stringField(json.convertedBy) ? { converted_by: stringField(json.convertedBy) as string } : {}),
    },
  });
}
