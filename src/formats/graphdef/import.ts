// Frozen TensorFlow GraphDef (.pb) import: decode the protobuf, then translate with the shared driver.

import { ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../../core/limits.js';
import type { FileSource, ImportedModel } from '../types.js';
import { decodeProto, scanFields } from './protobuf.js';
import { GRAPH_DEF, type TfGraph } from './schema.js';
import { tfGraphEndpoints, translateTfGraph, type GraphEndpoints, type GraphImportOptions, type TfGraphSource } from './translate.js';

export type { GraphImportOptions, GraphEndpoints, Endpoint } from './translate.js';

/**
 * For load(): a well-formed protobuf whose top-level fields are GraphDef's (node = 1, library = 2, version = 3,
 * versions = 4) with nodes present. An ONNX model has field 7 (graph); a SavedModel has field 1 as a varint.
 */
export function looksLikeGraphDef(bytes: Uint8Array): boolean {
  const fields = scanFields(bytes);
  return fields !== undefined && fields.get(1) === 2 && [...fields.keys()].every((f) => f >= 1 && f <= 4);
}

export function parseGraphDef(bytes: Uint8Array, file: string, limits: Limits = DEFAULT_LIMITS): TfGraphSource {
  // The decoded object follows schema.ts's TfGraph by construction of GRAPH_DEF.
  const g = decodeProto(bytes, GRAPH_DEF, file, limits) as unknown as TfGraph;
  const nodes = g.node ?? [];
  if (nodes.length === 0) throw new ModelFormatError('GraphDef has no nodes (is this a SavedModel saved_model.pb? load its frozen graph instead)', { file });
  nodes.forEach((n, i) => {
    if (typeof n.name !== 'string' || typeof n.op !== 'string') throw new ModelFormatError(`NodeDef ${i}${typeof n.name === 'string' ? ` "${n.name}"` : ''} lacks its name or op`, { file, where: `GraphDef.node[${i}]` });
  });
  const meta: Record<string, string> = {};
  if (g.versions?.producer !== undefined) meta['graphdef_producer'] = String(g.versions.producer);
  return { nodes, file, format: 'graphdef', meta };
}

export async function importGraphDef(source: FileSource, options: GraphImportOptions = {}): Promise<ImportedModel> {
  return translateTfGraph(parseGraphDef(await source.readMain(), source.name, resolveLimits(options.limits)), options);
}

/** Placeholders, default outputs and other dangling nodes, for `kerasrt inspect`. */
export async function graphDefEndpoints(source: FileSource, options: GraphImportOptions = {}): Promise<GraphEndpoints> {
  return tfGraphEndpoints(parseGraphDef(await source.readMain(), source.name, resolveLimits(options.limits)), options);
}
