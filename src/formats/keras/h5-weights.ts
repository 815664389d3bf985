// Weight stores over HDF5: the legacy Keras layout (model.save(*.h5) / save_weights: one group per layer with a
// `weight_names` attribute, any nesting below it) and the .keras layout (model.weights.h5: Keras 3
// `layers/<name>/vars/N`, tf.keras 2.x `_layer_checkpoint_dependencies/<name>/vars/N`).

import { ModelFormatError } from '../../core/errors.js';
import { checkNesting } from '../../core/limits.js';
import { Hdf5Dataset, Hdf5Group } from '../readers/hdf5.js';
import { ownerOf, type RawWeight, type WeightStore } from './weights.js';

function rawFromDataset(name: string, ds: Hdf5Dataset): RawWeight {
  return { name, shape: ds.shape, read: () => ds.readFloat32() };
}

/**
 * Guards a walk down the group tree: nesting within limits.maxNesting, and no group entered twice (hard
 * links can make the tree a graph with cycles; Keras never links one group twice).
 */
function enter(g: Hdf5Group, seen: Set<number>): void {
  checkNesting(g.depth, g.h5.limits, 'HDF5 groups', { file: g.h5.file, where: g.path });
  if (seen.has(g.address)) throw new ModelFormatError('group is reached twice through hard links (a cycle or a shared group)', { file: g.h5.file, where: g.path });
  seen.add(g.address);
}

/** Every dataset below a group, depth first in key order (for groups without `weight_names`). */
function allDatasets(g: Hdf5Group, prefix = '', seen = new Set<number>()): RawWeight[] {
  enter(g, seen);
  const out: RawWeight[] = [];
  for (const k of g.keys()) {
    const c = g.child(k);
    if (c instanceof Hdf5Dataset) out.push(rawFromDataset(prefix + k, c));
    else if (c instanceof Hdf5Group) out.push(...allDatasets(c, `${prefix}${k}/`, seen));
  }
  return out;
}

/**
 * The legacy layout rooted at `root` (the `model_weights` group of a full-model file, or the root of a
 * weights-only file). `layerNames` holds every layer name of the model tree: weights of layers inside a
 * nested model sit in the nested model's group and are told apart by name.
 */
export function legacyH5WeightStore(root: Hdf5Group, layerNames: ReadonlySet<string>, description: string): WeightStore {
  const cache = new Map<string, RawWeight[]>();
  const groupWeights = (name: string): RawWeight[] => {
    const hit = cache.get(name);
    if (hit) return hit;
    const g = root.child(name);
    let list: RawWeight[] = [];
    if (g instanceof Hdf5Group) {
      const names = g.attrStrings('weight_names');
      if (names === undefined) list = allDatasets(g);
      else {
        list = names.map((n) => {
          const ds = g.dataset(n);
          if (!ds) throw new ModelFormatError(`weight "${n}" is listed in weight_names but missing`, { file: root.h5.file, where: `${g.path}/${n}` });
          return rawFromDataset(n, ds);
        });
      }
    }
    cache.set(name, list);
    return list;
  };
  return {
    description,
    layerWeights(path) {
      if (path.length === 0) return [];
      const list = groupWeights(path[0]);
      if (path.length === 1) return list;
      const own = path[path.length - 1];
      return list.filter((w) => ownerOf(w.name, layerNames) === own);
    },
  };
}

const CONTAINERS = ['layers', '_layer_checkpoint_dependencies'];

function layerGroup(g: Hdf5Group, name: string): Hdf5Group | undefined {
  for (const c of CONTAINERS) {
    const found = g.group(c)?.child(name);
    if (found instanceof Hdf5Group) return found;
  }
  return undefined;
}

/** A layer's variables: its own `vars/0..n`, then those of its sub-objects (e.g. an RNN's `cell`). */
function collectVars(g: Hdf5Group, seen = new Set<number>()): RawWeight[] {
  enter(g, seen);
  const out: RawWeight[] = [];
  const vars = g.child('vars');
  if (vars instanceof Hdf5Group) {
    const keys = vars.keys();
    const numeric = keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    if (numeric.length !== keys.length) throw new ModelFormatError(`unexpected entries in vars: [${keys.join(', ')}]`, { file: g.h5.file, where: vars.path });
    for (const k of numeric) {
      const ds = vars.child(k);
      if (!(ds instanceof Hdf5Dataset)) throw new ModelFormatError(`vars/${k} is not a dataset`, { file: g.h5.file, where: `${vars.path}/${k}` });
      out.push(rawFromDataset(`${vars.path}/${k}`, ds));
    }
  }
  for (const k of g.keys().sort()) {
    if (k === 'vars' || CONTAINERS.includes(k)) continue;
    const c = g.child(k);
    if (c instanceof Hdf5Group) out.push(...collectVars(c, seen));
  }
  return out;
}

/** The .keras layout (model.weights.h5). */
export function kerasV3WeightStore(root: Hdf5Group, description: string): WeightStore {
  return {
    description,
    layerWeights(path) {
      let g: Hdf5Group | undefined = root;
      for (const seg of path) {
        g = g && layerGroup(g, seg);
        if (!g) return [];
      }
      return collectVars(g);
    },
  };
}
