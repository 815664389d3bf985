// Parsing model JSON from bytes, with errors that name the file; and recognising a Keras model JSON.
// The size, depth and key checks live in readers/json.ts; this keeps the Keras-typed entry points.

import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { parseJsonBytes as parseJsonBytesChecked, parseJsonText as parseJsonTextChecked } from '../readers/json.js';
import { isJsonObject } from './config-read.js';
import type { Json } from './config-types.js';

/** Model JSON beyond this size is refused before parsing (the default of Limits.maxJsonBytes). */
export const MAX_JSON_BYTES = DEFAULT_LIMITS.maxJsonBytes;

export function parseJsonBytes(bytes: Uint8Array, file: string, what: string, limits: Limits = DEFAULT_LIMITS): Json {
  return parseJsonBytesChecked(bytes, file, what, limits) as Json;
}

export function parseJsonText(text: string, file: string, what: string, limits: Limits = DEFAULT_LIMITS): Json {
  return parseJsonTextChecked(text, file, what, limits) as Json;
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
