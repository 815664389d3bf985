// Trained weights for the founding models, when there are some: a TF.js layers folder
// <dir>/<model>/model.json (+ its weight files), the format both kerasrt and TF.js read. The weights must
// fit the founding architecture (same count and shapes, in layer order); otherwise the bench refuses them.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelFormatError } from '../src/core/errors.js';
import type { FoundingModel, FoundingWeight } from '../src/models/founding.js';

interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string }[];
}

/** The path a trained model is looked for at. */
export function trainedPath(dir: string, name: string): string {
  return join(dir, name, 'model.json');
}

/**
 * The founding model with its weights replaced by the trained ones in `file`, or undefined when the
 * file does not exist. Throws ModelFormatError when it exists but does not fit the architecture.
 */
export async function readTrained(file: string, fixed: FoundingModel): Promise<FoundingModel | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: { weightsManifest?: ManifestGroup[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (e) {
    throw new ModelFormatError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const groups = json.weightsManifest;
  if (!Array.isArray(groups)) throw new ModelFormatError('no weightsManifest: not a TF.js layers model folder', { file });
  const specs = groups.flatMap((g) => g.weights);
  if (specs.length !== fixed.weights.length) {
    throw new ModelFormatError(`${specs.length} weights, the ${fixed.name} architecture has ${fixed.weights.length}`, { file });
  }
  const chunks: Uint8Array[] = [];
  for (const g of groups) for (const p of g.paths) chunks.push(new Uint8Array(await readFile(join(dirname(file), p))));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const weights: FoundingWeight[] = [];
  let offset = 0;
  specs.forEach((s, i) => {
    const want = fixed.weights[i];
    if (s.dtype !== 'float32') throw new ModelFormatError(`weight "${s.name}" is ${s.dtype}; the bench reads float32 only`, { file });
    if (s.shape.length !== want.shape.length || s.shape.some((d, j) => d !== want.shape[j])) {
      throw new ModelFormatError(`weight ${i} "${s.name}" has shape [${s.shape.join(', ')}], ${want.name} needs [${want.shape.join(', ')}]`, { file });
    }
    const n = want.data.length;
    if (offset + n * 4 > total) throw new ModelFormatError(`weight files hold ${total} bytes, too few for "${s.name}"`, { file });
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + n * 4));
    offset += n * 4;
    weights.push({ ...want, data });
  });
  return { ...fixed, weights };
}
