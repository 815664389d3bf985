// What every importer returns: the portable graph plus what `kerasrt inspect` shows about the source.

import type { Graph } from '../ir/graph.js';

/** One source layer (Keras) or node (GraphDef/ONNX), for the Keras-style summary. */
export interface LayerInfo {
  readonly name: string;
  readonly className: string;
  /** Per-sample output shapes with the batch as -1 (or concrete when the file fixes it). */
  readonly outputShapes: readonly (readonly number[])[];
  /** Number of weight values the layer holds (trainable and not), as Keras counts them. */
  readonly params: number;
  /** Names of the layers feeding it (functional models), for the "Connected to" column. */
  readonly inbound: readonly string[];
}

export type FormatName = 'keras-h5' | 'keras-v3' | 'tfjs-layers' | 'tfjs-graph' | 'graphdef' | 'onnx' | 'kerasrt';

export interface ImportedModel {
  readonly format: FormatName;
  /** The file the model came from (the main file for multi-file formats). */
  readonly file: string;
  readonly graph: Graph;
  readonly layers: readonly LayerInfo[];
  /** Names of the graph inputs and outputs, in order, as the source names them. */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/**
 * How importers read bytes: the main file and, for multi-file formats, siblings by relative path.
 * Browsers pass in-memory files; Node reads from disk. Implementations must refuse paths that escape
 * the model's folder (absolute, `..`), and are the only place a file is read.
 */
export interface FileSource {
  /** Display name of the main file, used in every error message. */
  readonly name: string;
  readMain(): Promise<Uint8Array>;
  /** A file beside the main one; `relPath` comes from the model (e.g. a weight shard). */
  readSibling(relPath: string): Promise<Uint8Array>;
}
