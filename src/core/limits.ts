// Safety limits for reading model files that come from strangers. Every size a file claims (bytes, entries,
// elements, dims, nesting) is checked against these BEFORE anything is allocated or walked, and all size
// arithmetic goes through the overflow-checked helpers below. Defaults and their reasons: docs/robustness.md.

import { LimitExceededError, ModelFormatError, UsageError, type ErrorContext } from './errors.js';

export interface Limits {
  /** Largest single file read (the model, a weight shard, a weights HDF5), in bytes. */
  readonly maxFileBytes: number;
  /** Largest total of all files one import reads (main file + shards + weights file), in bytes. */
  readonly maxTotalBytes: number;
  /** Largest JSON document parsed (model.json, config.json, an HDF5 model_config attribute), in bytes. */
  readonly maxJsonBytes: number;
  /** Deepest nesting of JSON arrays/objects; checked by a scan before JSON.parse runs. */
  readonly maxJsonDepth: number;
  /** Most entries a zip archive (.keras, .npz) may list. */
  readonly maxZipEntries: number;
  /** Largest inflated size of one zip entry, in bytes. */
  readonly maxZipEntryBytes: number;
  /** Largest inflated size of all zip entries together, in bytes. */
  readonly maxZipTotalBytes: number;
  /**
   * Largest inflated/compressed ratio of a zip entry that inflates to more than ZIP_RATIO_GRACE_BYTES
   * (smaller entries are exempt: they cannot hurt, and tiny JSON compresses well).
   */
  readonly maxInflationRatio: number;
  /** Most elements one tensor (weight, dataset, graph value per sample) may have. */
  readonly maxTensorElements: number;
  /** Highest tensor rank. */
  readonly maxRank: number;
  /** Most layers / graph nodes / weight entries / HDF5 objects one model may hold. */
  readonly maxNodes: number;
  /** Deepest nesting of models inside models, call arguments, and HDF5 groups. */
  readonly maxNesting: number;
  /** Deepest nesting of protobuf messages (GraphDef, ONNX). */
  readonly maxProtobufDepth: number;
  /** Most weight shard files (TF.js weightsManifest paths, all groups together). */
  readonly maxShards: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** The defaults: every real model we know (MNIST MLPs to ResNet-50 / VGG-16 size) fits with room. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxFileBytes: 2 * GiB,
  maxTotalBytes: 4 * GiB,
  maxJsonBytes: 64 * MiB,
  maxJsonDepth: 256,
  maxZipEntries: 10_000,
  maxZipEntryBytes: 2 * GiB,
  maxZipTotalBytes: 4 * GiB,
  maxInflationRatio: 100,
  maxTensorElements: 2 ** 28,
  maxRank: 8,
  maxNodes: 100_000,
  maxNesting: 32,
  maxProtobufDepth: 64,
  maxShards: 4096,
});

/** Zip entries that inflate to at most this many bytes are exempt from the ratio check. */
export const ZIP_RATIO_GRACE_BYTES = 16 * MiB;

const KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/**
 * The defaults overridden by `partial`. Unknown keys (typos) and values that are not positive numbers are
 * a UsageError, so a mistyped limit never silently leaves the default in place.
 */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  if (partial === undefined) return DEFAULT_LIMITS;
  if (typeof partial !== 'object' || partial === null) throw new UsageError('limits must be an object');
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial)) {
    if (!(KEYS as string[]).includes(k)) throw new UsageError(`unknown limit "${k}" (known: ${KEYS.join(', ')})`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v > 0) || (k !== 'maxInflationRatio' && !Number.isSafeInteger(v))) {
      throw new UsageError(`limit ${k} must be a positive ${k === 'maxInflationRatio' ? 'number' : 'whole number'}, got ${String(v)}`);
    }
    out[k] = v;
  }
  return Object.freeze(out) as unknown as Limits;
}

// ---------- overflow-checked size arithmetic ----------

/** a * b for non-negative safe integers; LimitExceededError when the product is not a safe integer. */
export function checkedMul(a: number, b: number, what: string, ctx: ErrorContext = {}): number {
  if (a === 0 || b === 0) return 0;
  if (a > Number.MAX_SAFE_INTEGER / b) throw new LimitExceededError(`${what}: ${a} x ${b} overflows the largest safe integer`, ctx);
  return a * b;
}

/** a + b for non-negative safe integers; LimitExceededError when the sum is not a safe integer. */
export function checkedAdd(a: number, b: number, what: string, ctx: ErrorContext = {}): number {
  const s = a + b;
  if (!Number.isSafeInteger(s)) throw new LimitExceededError(`${what}: ${a} + ${b} overflows the largest safe integer`, ctx);
  return s;
}

function fmtShape(dims: readonly unknown[]): string {
  return `[${dims.map((d) => String(d)).join(', ')}]`;
}

/**
 * The number of elements of a shape the file claims: every dim must be a non-negative safe integer
 * (ModelFormatError otherwise), the product is overflow-checked. Does not apply the element limit.
 */
export function checkedElements(dims: readonly unknown[], what: string, ctx: ErrorContext = {}): number {
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new ModelFormatError(`${what}: bad shape ${fmtShape(dims)} (dims must be whole numbers >= 0)`, ctx);
  }
  if ((dims as number[]).includes(0)) return 0;
  let n = 1;
  for (const d of dims as number[]) n = checkedMul(n, d, `${what}: shape ${fmtShape(dims)}`, ctx);
  return n;
}

/**
 * Checks a claimed tensor shape against the rank and element limits and returns its element count.
 * A leading -1 (the symbolic batch) counts as 1.
 */
export function checkTensorShape(dims: readonly number[], limits: Limits, what: string, ctx: ErrorContext = {}): number {
  if (dims.length > limits.maxRank) throw new LimitExceededError(`${what}: rank ${dims.length} is over the limit maxRank = ${limits.maxRank}`, ctx);
  const concrete = dims.map((d, i) => (i === 0 && d === -1 ? 1 : d));
  const n = checkedElements(concrete, what, ctx);
  if (n > limits.maxTensorElements) {
    throw new LimitExceededError(`${what}: shape ${fmtShape(dims)} has ${n} elements, over the limit maxTensorElements = ${limits.maxTensorElements}`, ctx);
  }
  return n;
}

/** Throws LimitExceededError when `n` exceeds `limits[key]` (counts: entries, shards, nodes, bytes). */
export function checkCount(n: number, limits: Limits, key: keyof Limits, what: string, ctx: ErrorContext = {}): void {
  if (!(n <= limits[key])) throw new LimitExceededError(`${what}: ${n} is over the limit ${key} = ${limits[key]}`, ctx);
}

/**
 * For recursive decoders (protobuf messages in the GraphDef and ONNX importers): call with the depth of the
 * message about to be decoded (the top-level message is depth 0). Throws LimitExceededError beyond
 * limits.maxProtobufDepth, before the recursion can exhaust the stack.
 */
export function checkProtobufDepth(depth: number, limits: Limits, ctx: ErrorContext = {}): void {
  if (depth > limits.maxProtobufDepth) throw new LimitExceededError(`protobuf messages nested deeper than maxProtobufDepth = ${limits.maxProtobufDepth}`, ctx);
}

/** The same for any other nesting (models in models, HDF5 groups): depth > limits.maxNesting throws. */
export function checkNesting(depth: number, limits: Limits, what: string, ctx: ErrorContext = {}): void {
  if (depth > limits.maxNesting) throw new LimitExceededError(`${what} nested deeper than maxNesting = ${limits.maxNesting}`, ctx);
}
