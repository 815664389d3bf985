// Parsing model JSON from bytes, with errors that name the file; and recognising a Keras model JSON.

import { LimitExceededError, ModelFormatError } from '../../core/errors.js';
import { isJsonObject } from './config-read.js';
import type { Json } from './config-types.js';

/** Model JSON beyond this size is refused before parsing (real configs are kilobytes). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

export function parseJsonBytes(bytes: Uint8Array, file: string, what: string): Json {
  if (bytes.length > MAX_JSON_BYTES) throw new LimitExceededError(`${what} is ${bytes.length} bytes, over the ${MAX_JSON_BYTES}-byte limit`, { file });
  return parseJsonText(new TextDecoder('utf-8', { fatal: false }).decode(bytes), file, what);
}

export function parseJsonText(text: string, file: string, what: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new ModelFormatError(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { file });
  }
}

/** Does the text start like JSON (an object)? */
export function looksLikeJson(bytes: Uint8Array): boolean {
  for (let i = 0; i < Math.min(bytes.length, 1024); i++) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xef || c === 0xbb || c === 0xbf) continue;
    return c === 0x7b;
  }
  return false;
}

/** A Keras model serialization at the top level ({class_name: Sequential|Functional|Model, config}). */
export function isKerasModelJson(v: Json): boolean {
  return isJsonObject(v) && typeof v.class_name === 'string' && v.config !== undefined;
}

export function stringField(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
