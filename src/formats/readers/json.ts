// JSON from model files, read defensively: size checked before decoding; nesting depth and dangerous keys
// ("__proto__", "constructor") checked by one linear scan BEFORE JSON.parse, so a hostile document can
// neither exhaust the stack of whatever walks it later nor smuggle prototype-changing keys into code that
// copies configs around. Errors name the file and the byte offset.

import { LimitExceededError, ModelFormatError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';

/** Parsed JSON (the same shape as keras/config-types.ts's Json). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Keys refused anywhere in a model's JSON: no real Keras/TF.js/ONNX file has them, and they are the
 * classic prototype-pollution carriers. */
const REFUSED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

export interface JsonScan {
  /** Deepest nesting of arrays/objects seen. */
  readonly depth: number;
}

/**
 * One pass over the text: tracks strings (with escapes) and bracket depth, and checks every object key.
 * Throws LimitExceededError past `maxDepth`, ModelFormatError for a refused key. Does not validate the
 * rest of the syntax (JSON.parse does that next).
 */
export function scanJson(text: string, maxDepth: number, file: string, what: string): JsonScan {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i += 2;
          continue;
        }
        if (d === 0x22) break;
        i++;
      }
      if (i >= n) return { depth: deepest }; // unterminated: JSON.parse reports it
      // A key is a string followed by ':'. Only look when the raw text could spell a refused key.
      const len = i - start - 1;
      if (len >= 9 && len <= 66) {
        let j = i + 1;
        while (j < n && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x0a || text.charCodeAt(j) === 0x0d || text.charCodeAt(j) === 0x09)) j++;
        if (j < n && text.charCodeAt(j) === 0x3a /* : */) {
          const raw = text.slice(start, i + 1);
          let key: string;
          try {
            key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          } catch {
            key = raw;
          }
          if (REFUSED_KEYS.has(key)) {
            throw new ModelFormatError(`${what} has a key "${key}"; such keys are refused (they can alter object prototypes)`, { file, where: `byte ${start}` });
          }
        }
      }
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (depth > maxDepth) throw new LimitExceededError(`${what} nests arrays/objects deeper than maxJsonDepth = ${maxDepth}`, { file, where: `byte ${i}` });
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return { depth: deepest };
}

/** Parses JSON text after the size, depth and key checks. */
export function parseJsonText(text: string, file: string, what: string, limits: Limits = DEFAULT_LIMITS): JsonValue {
  if (text.length > limits.maxJsonBytes) throw new LimitExceededError(`${what} is ${text.length} characters, over the limit maxJsonBytes = ${limits.maxJsonBytes}`, { file });
  scanJson(text, limits.maxJsonDepth, file, what);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new ModelFormatError(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
  }
}

/** Decodes UTF-8 bytes (invalid sequences become U+FFFD) and parses them as JSON, after the checks. */
export function parseJsonBytes(bytes: Uint8Array, file: string, what: string, limits: Limits = DEFAULT_LIMITS): JsonValue {
  if (bytes.length > limits.maxJsonBytes) throw new LimitExceededError(`${what} is ${bytes.length} bytes, over the limit maxJsonBytes = ${limits.maxJsonBytes}`, { file });
  return parseJsonText(new TextDecoder('utf-8', { fatal: false }).decode(bytes), file, what, limits);
}
