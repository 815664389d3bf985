// importModel: the one entry point for reading a Keras-family model file. The format is told by content, not
// by extension: HDF5 signature (Keras .h5/.hdf5), zip signature (.keras), JSON (TF.js layers model.json, or
// a Keras architecture JSON whose weights are in a separate HDF5 file).
//
// Architecture JSON + weights-only HDF5 (model.to_json() + save_weights(), Keras 1 configs, DL4J test files):
// the JSON is the main file and `weightsPath` names the HDF5 file. Without `weightsPath` the importer looks
// beside the JSON for "<stem>_weights.h5" (DL4J's "<stem>_config.json" pair), "<stem>.h5", "<stem>.hdf5".
// A weights-only HDF5 given as the main file is paired the same way in reverse ("<stem>_config.json",
// "<stem>.json"); otherwise it is refused with a message saying to pass the JSON with weightsPath.
// With a file-system path as `source`, `weightsPath` is a file-system path too (relative to the current
// directory, like `source`); with a FileSource it is a path relative to the main file, read by readSibling.
//
// Robustness (docs/robustness.md): `limits` (defaults in core/limits.ts) bound every size a file claims;
// every file read goes through a source that checks file and total sizes; and whatever a reader throws that
// is not a KerasrtError is turned into a ModelFormatError naming the file here, at the format boundary, so
// nothing raw ever reaches the caller.

import { ModelFormatError, toKerasrtError } from '../core/errors.js';
import { resolveLimits, type Limits } from '../core/limits.js';
import { importKerasH5, importKerasJsonWithH5, kerasH5Kind } from './keras/import-h5.js';
import { importKerasV3 } from './keras/import-keras-v3.js';
import { isKerasModelJson, looksLikeJson, parseJsonBytes } from './keras/json.js';
import { Hdf5File, isHdf5 } from './readers/hdf5.js';
import { baseName, limitedFileSource } from './readers/file-source.js';
import { isZip, limitsWithZip, type ZipLimits } from './readers/zip.js';
import { importTfjsLayers, isTfjsGraphJson, isTfjsLayersJson } from './tfjs/import-tfjs-layers.js';
import type { FileSource, ImportedModel } from './types.js';
import type { Json } from './keras/config-types.js';
import { importGraphDef, looksLikeGraphDef } from './graphdef/import.js';
import type { GraphImportOptions } from './graphdef/translate.js';
import { importOnnx, looksLikeOnnx } from './onnx/import.js';
import { importTfjsGraph } from './tfjs-graph/import.js';

/** Graph formats (GraphDef, TF.js graph, ONNX) also take input/output node names and input shapes. */
export interface ImportOptions extends GraphImportOptions {
  /**
   * The weights-only HDF5 file that goes with an architecture JSON main file (or, for a full-model .h5,
   * another HDF5 file to take the weights from). A file-system path when `source` is a path; a path
   * relative to the main file when `source` is a FileSource.
   */
  readonly weightsPath?: string;
  /**
   * Safety limits (file and zip sizes, tensor elements, rank, layer count, JSON and protobuf nesting,
   * shards); anything not given keeps its default (DEFAULT_LIMITS in core/limits.ts, docs/robustness.md).
   */
  readonly limits?: Partial<Limits>;
  /** Older spelling of the zip part of `limits` (maxEntries, maxEntryBytes, maxTotalBytes, maxRatio). */
  readonly zipLimits?: ZipLimits;
  /**
   * ONNX: read tensors whose data lives in side files (external data). Off by default (the model file
   * would choose which files are read); when on, only files inside the model's folder are read.
   */
  readonly externalData?: boolean;
}

interface Companion {
  readonly name: string;
  readonly bytes: Uint8Array;
}

async function nodeSource(path: string, limits: Limits): Promise<FileSource> {
  const { nodeFileSource } = await import('./readers/node-file-source.js');
  return nodeFileSource(path, limits);
}

/** Reads the first of `names` that exists beside the main file. */
async function firstSibling(src: FileSource, names: readonly string[]): Promise<Companion | undefined> {
  for (const name of names) {
    try {
      return { name, bytes: await src.readSibling(name) };
    } catch (e) {
      if (!(e instanceof ModelFormatError)) throw e;
    }
  }
  return undefined;
}

function stem(name: string, suffixes: readonly string[]): string | undefined {
  for (const s of suffixes) if (name.toLowerCase().endsWith(s)) return name.slice(0, name.length - s.length);
  return undefined;
}

function weightCandidates(jsonName: string): string[] {
  const base = baseName(jsonName);
  const dl4j = stem(base, ['_config.json']);
  const plain = stem(base, ['.json']) ?? base;
  return [...(dl4j !== undefined ? [`${dl4j}_weights.h5`] : []), `${plain}.h5`, `${plain}.hdf5`, `${plain}_weights.h5`];
}

function configCandidates(h5Name: string): string[] {
  const base = baseName(h5Name);
  const dl4j = stem(base, ['_weights.h5', '_weights.hdf5']);
  const plain = stem(base, ['.h5', '.hdf5', '.keras']) ?? base;
  return [...(dl4j !== undefined ? [`${dl4j}_config.json`] : []), `${plain}.json`];
}

export async function importModel(source: FileSource | string, options: ImportOptions = {}): Promise<ImportedModel> {
  const limits = limitsWithZip(resolveLimits(options.limits), options.zipLimits);
  const file = typeof source === 'string' ? source : source.name;
  try {
    return await importChecked(source, options, limits);
  } catch (e) {
    throw toKerasrtError(e, { file, where: 'importer', what: 'the model' });
  }
}

async function importChecked(source: FileSource | string, options: ImportOptions, limits: Limits): Promise<ImportedModel> {
  const src = limitedFileSource(typeof source === 'string' ? await nodeSource(source, limits) : source, limits);
  const bytes = await src.readMain();
  const file = src.name;
  const weightsPath = options.weightsPath;
  const readWeights = async (): Promise<Companion | undefined> => {
    if (weightsPath === undefined) return undefined;
    if (typeof source === 'string') return { name: weightsPath, bytes: await limitedFileSource(await nodeSource(weightsPath, limits), limits).readMain() };
    return { name: weightsPath, bytes: await src.readSibling(weightsPath) };
  };
  const openWeights = (c: Companion): Hdf5File => {
    if (!isHdf5(c.bytes)) throw new ModelFormatError('the weights file is not HDF5', { file: c.name });
    return Hdf5File.open(c.bytes, c.name, limits);
  };

  if (isHdf5(bytes)) {
    const h5 = Hdf5File.open(bytes, file, limits);
    const kind = kerasH5Kind(h5);
    if (kind === 'full-model') {
      const w = await readWeights();
      return importKerasH5(h5, w ? openWeights(w) : undefined);
    }
    if (kind === 'weights-only') {
      if (weightsPath !== undefined) throw new ModelFormatError('this is a weights-only HDF5 file: pass the architecture JSON as the model and this file as weightsPath', { file });
      const cands = configCandidates(file);
      const json = await firstSibling(src, cands);
      if (!json) {
        throw new ModelFormatError(`weights-only HDF5 file (save_weights, no model_config): load its architecture JSON instead, with { weightsPath } naming this file (looked beside it for ${cands.join(', ')})`, { file });
      }
      const parsed = parseJsonBytes(json.bytes, json.name, 'the architecture JSON', limits);
      return importKerasJsonWithH5(parsed, json.name, h5);
    }
    throw new ModelFormatError('this HDF5 file holds no Keras model (no model_config or layer_names attribute)', { file });
  }

  if (isZip(bytes)) return importKerasV3(bytes, file, limits);

  if (looksLikeJson(bytes)) {
    const json: Json = parseJsonBytes(bytes, file, 'the model JSON', limits);
    if (isTfjsLayersJson(json)) return importTfjsLayers(json, src, limits);
    if (isTfjsGraphJson(json)) return importTfjsGraph(src, { ...options, limits }, json);
    if (isKerasModelJson(json)) {
      let w = await readWeights();
      if (!w) {
        const cands = weightCandidates(file);
        w = await firstSibling(src, cands);
        if (!w) throw new ModelFormatError(`Keras architecture JSON without weights: pass { weightsPath } (looked beside it for ${cands.join(', ')})`, { file });
      }
      return importKerasJsonWithH5(json, file, openWeights(w));
    }
    throw new ModelFormatError('JSON file is neither a TF.js layers model (modelTopology) nor a Keras model config (class_name/config)', { file });
  }

  if (looksLikeOnnx(bytes)) return importOnnx(src, { ...options, limits });
  if (looksLikeGraphDef(bytes)) return importGraphDef(src, { ...options, limits });
  throw new ModelFormatError('unknown model format: not HDF5 (.h5), a zip (.keras), JSON (model.json), ONNX or a frozen GraphDef (.pb)', { file });
}
