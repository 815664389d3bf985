// kerasrt's public API. The CLI, the benchmarks and the browser build import only this module.

import type { FileSource } from './formats/types.js';
import { importModel, type ImportOptions } from './formats/load.js';
import { Model } from './runtime/model.js';
import { initBackend, type BackendName } from './runtime/backends.js';

export { Model, type CompileOptions } from './runtime/model.js';
export { Session } from './runtime/session.js';
export { BACKEND_NAMES, type BackendName } from './runtime/backends.js';
export { memoryFileSource } from './formats/readers/file-source.js';
export * from './core/errors.js';
export type { FileSource, ImportedModel, LayerInfo } from './formats/types.js';
export type { ImportOptions } from './formats/load.js';
export { DEFAULT_LIMITS, type Limits } from './core/limits.js';
export { PIPELINE, optimize } from './passes/pipeline.js';
export * from './train/index.js';

/** Loads a model file (.keras, .h5/.hdf5, TF.js model.json) from a path (Node) or a FileSource. */
export async function load(source: string | FileSource, options?: ImportOptions): Promise<Model> {
  return new Model(await importModel(source, options));
}

/**
 * Prepares the back end compile() will use (default "auto"): compiles the WebAssembly kernels asynchronously.
 * Call it once before compile() in a browser (its main thread refuses synchronous compilation of large wasm
 * modules); in Node it is optional.
 */
export async function init(backend: BackendName = 'auto'): Promise<void> {
  await initBackend(backend);
}
