// kerasrt's public API. The CLI, the benchmarks and the browser build import only this module.

import type { FileSource } from './formats/types.js';
import { importModel, type ImportOptions } from './formats/load.js';
import { Model } from './runtime/model.js';

export { Model, type CompileOptions } from './runtime/model.js';
export { Session } from './runtime/session.js';
export { BACKEND_NAMES, type BackendName } from './runtime/backends.js';
export * from './core/errors.js';
export type { FileSource, ImportedModel, LayerInfo } from './formats/types.js';
export type { ImportOptions } from './formats/load.js';
export { PIPELINE, optimize } from './passes/pipeline.js';

/** Loads a model file (.keras, .h5/.hdf5, TF.js model.json) from a path (Node) or a FileSource. */
export async function load(source: string | FileSource, options?: ImportOptions): Promise<Model> {
  return new Model(await importModel(source, options));
}
