// Where a layer's weights come from, independent of the container (legacy HDF5, .keras, TF.js shards), and
// how they are matched to what a translator expects: by name when the file names them (kernel / W / bias / b,
// Keras 1 "dense_1_W:0", TF.js "conv2d_1/kernel"), otherwise by position (Keras 3 "vars/0", "vars/1").

import { ModelFormatError } from '../../core/errors.js';

/** One stored weight array, read on demand. */
export interface RawWeight {
  /** The name in the file (weight_names entry, manifest name, or var path). */
  readonly name: string;
  readonly shape: readonly number[];
  read(): Float32Array;
}

/** The weights of every layer in a model file. */
export interface WeightStore {
  /** Human-readable description for error messages ("model_weights in mnist.h5"). */
  readonly description: string;
  /**
   * The weights of the layer at `path`: the names of the enclosing nested models, outermost first, then
   * the layer's own name. In the file's order (which is Keras' weight order). Empty when it has none.
   */
  layerWeights(path: readonly string[]): readonly RawWeight[];
}

/** A weight a translator expects: its role and the names files use for it (Keras 2+ first, Keras 1 after). */
export interface WeightSpec {
  readonly role: string;
  /** Expected shape, or undefined to accept any (the translator checks). */
  readonly shape?: readonly number[];
}

/** Names a role goes by in files, besides the role itself. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  kernel: ['W'],
  bias: ['b'],
  recurrent_kernel: ['U'],
  embeddings: ['W'],
  moving_mean: ['running_mean'],
  moving_variance: ['running_std'],
  alpha: ['alphas'],
  depthwise_kernel: [],
  pointwise_kernel: [],
  mean: ['adapt_mean'],
  variance: ['adapt_variance'],
};

/**
 * The short name of a stored weight: the last path segment without ":0", and without the "<layer>_" prefix
 * Keras 1 puts there ("dense_1_W:0" -> "W").
 */
export function shortWeightName(name: string, layer: string): string {
  const last = name.split('/').pop() ?? name;
  const bare = last.replace(/:\d+$/, '');
  return bare.startsWith(`${layer}_`) && bare.length > layer.length + 1 ? bare.slice(layer.length + 1) : bare;
}

/**
 * Which of `candidates` (layer names) a weight name belongs to: the deepest folder segment that names a
 * layer ("model_1/dense/kernel:0" -> dense, "lstm/lstm_cell/kernel" -> lstm), else, for Keras 1 flat names,
 * the longest layer name followed by "_" ("dense_12_W:0" -> dense_12).
 */
export function ownerOf(weightName: string, candidates: ReadonlySet<string>): string | undefined {
  const segs = weightName.split('/');
  for (let i = segs.length - 2; i >= 0; i--) if (candidates.has(segs[i])) return segs[i];
  const flat = (segs[segs.length - 1] ?? '').replace(/:\d+$/, '');
  let best: string | undefined;
  for (const c of candidates) if (flat.startsWith(`${c}_`) && (best === undefined || c.length > best.length)) best = c;
  return best;
}

/** A weight matched to its role and read. */
export interface LoadedWeight {
  readonly role: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

function fmt(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/**
 * Matches stored weights to the expected roles (count must agree), by name when every stored weight has a
 * recognisable name, else by position; checks shapes and reads the data.
 */
export function matchWeights(raw: readonly RawWeight[], specs: readonly WeightSpec[], layer: string, className: string, file: string): LoadedWeight[] {
  const where = layer;
  const list = (ws: readonly RawWeight[]): string => ws.map((w) => `${w.name} ${fmt(w.shape)}`).join(', ');
  if (raw.length !== specs.length) {
    const what = raw.length === 0 ? 'missing weights: the file has none for it' : `the file has ${raw.length} weight(s) (${list(raw)})`;
    throw new ModelFormatError(`layer "${layer}" (${className}): ${what}, expected ${specs.length} (${specs.map((s) => s.role).join(', ')})`, { file, where });
  }
  let ordered: RawWeight[] | undefined;
  const byRole = new Map<string, RawWeight>();
  for (const w of raw) {
    const short = shortWeightName(w.name, layer);
    const spec = specs.find((s) => s.role === short || (ALIASES[s.role] ?? []).includes(short));
    if (!spec || byRole.has(spec.role)) {
      byRole.clear();
      break;
    }
    byRole.set(spec.role, w);
  }
  if (byRole.size === specs.length) ordered = specs.map((s) => byRole.get(s.role) as RawWeight);
  else ordered = [...raw];
  return specs.map((s, i) => {
    const w = ordered[i];
    if (s.shape && (w.shape.length !== s.shape.length || w.shape.some((d, j) => d !== s.shape?.[j]))) {
      throw new ModelFormatError(`layer "${layer}" (${className}): weight ${s.role} ("${w.name}") has shape ${fmt(w.shape)}, expected ${fmt(s.shape)}`, { file, where });
    }
    const data = w.read();
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new ModelFormatError(`layer "${layer}" (${className}): weight "${w.name}" holds ${data.length} values, shape ${fmt(w.shape)} needs ${n}`, { file, where });
    return { role: s.role, name: w.name, shape: w.shape, data };
  });
}
