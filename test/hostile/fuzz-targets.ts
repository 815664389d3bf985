// Fuzz targets, one per parser the issue names: legacy Keras HDF5, .keras zip, TF.js layers JSON, .npy,
// IDX, and the graph formats: ONNX, frozen GraphDef, TF.js graph JSON. Each is a fast-check arbitrary of complete inputs built from the valid seeds (seeds.ts) by the
// mutators of mutate.ts, plus how inputs travel to a worker and back (a flat binary encoding, written to
// shared memory before each execution so a hang can be recovered and saved as a corpus case).

import fc from 'fast-check';
import { zipSync } from 'fflate';
import { readZip } from '../../src/formats/readers/zip.js';
import { encodeNpy } from '../../src/formats/readers/npy.js';
import type { HostileCase } from './corpus.js';
import { applyByteOps, applyJsonOps, byteOps, jsonOps } from './mutate.js';
import type { CaseInput } from './run-case.js';
import { graphDefBytes, onnxBytes, onnxMlp, tfMlp, type OnnxSpec, type TfNodeSpec } from './graph-seeds.js';
import { idxBytes, type Seed, type SeedFormat } from './seeds.js';

export type TargetName = 'h5' | 'keras-zip' | 'tfjs-json' | 'npy' | 'idx' | 'onnx' | 'graphdef' | 'tfjs-graph';
export const TARGET_NAMES: readonly TargetName[] = ['h5', 'keras-zip', 'tfjs-json', 'npy', 'idx', 'onnx', 'graphdef', 'tfjs-graph'];

export type FuzzInput = Pick<CaseInput, 'parser' | 'main' | 'files'>;

export interface FuzzTarget {
  readonly name: TargetName;
  /** The format a finding is filed under in the corpus. */
  readonly format: SeedFormat;
  arbitrary(seeds: readonly Seed[]): fc.Arbitrary<FuzzInput>;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function pick(seeds: readonly Seed[], format: SeedFormat): Seed[] {
  const list = seeds.filter((s) => s.format === format);
  if (list.length === 0) throw new Error(`no ${format} seed`);
  return list;
}

/** Byte-level mutation of one file of a seed. */
function mutateFile(seed: Seed, file: string): fc.Arbitrary<FuzzInput> {
  return byteOps.map((ops) => ({ parser: 'model' as const, main: seed.main, files: { ...seed.files, [file]: applyByteOps(seed.files[file], ops) } }));
}

const h5: FuzzTarget = {
  name: 'h5',
  format: 'keras-h5',
  arbitrary: (seeds) => fc.oneof(...pick(seeds, 'keras-h5').map((s) => mutateFile(s, s.main))),
};

const kerasZip: FuzzTarget = {
  name: 'keras-zip',
  format: 'keras-v3',
  arbitrary: (seeds) =>
    fc.oneof(
      ...pick(seeds, 'keras-v3').flatMap((s) => {
        const entries = readZip(s.files[s.main], s.main);
        const rezip = (name: string, data: Uint8Array): Uint8Array => {
          const files: Record<string, [Uint8Array, { level: 0 }]> = {};
          for (const [n, d] of entries) files[n] = [n === name ? data : d, { level: 0 }];
          return zipSync(files);
        };
        const cfg = dec(entries.get('config.json') as Uint8Array);
        const weights = entries.get('model.weights.h5') as Uint8Array;
        return [
          mutateFile(s, s.main),
          jsonOps.map((ops) => ({ parser: 'model' as const, main: s.main, files: { [s.main]: rezip('config.json', enc(applyJsonOps(cfg, ops))) } })),
          byteOps.map((ops) => ({ parser: 'model' as const, main: s.main, files: { [s.main]: rezip('model.weights.h5', applyByteOps(weights, ops)) } })),
        ];
      }),
    ),
};

const tfjsJson: FuzzTarget = {
  name: 'tfjs-json',
  format: 'tfjs-layers',
  arbitrary: (seeds) =>
    fc.oneof(
      ...pick(seeds, 'tfjs-layers').flatMap((s) => {
        const text = dec(s.files['model.json']);
        return [
          { weight: 3, arbitrary: jsonOps.map((ops) => ({ parser: 'model' as const, main: s.main, files: { ...s.files, 'model.json': enc(applyJsonOps(text, ops)) } })) },
          { weight: 1, arbitrary: mutateFile(s, 'model.json') },
          { weight: 1, arbitrary: mutateFile(s, 'weights.bin') },
        ];
      }),
    ),
};

function npySeeds(seeds: readonly Seed[]): Uint8Array[] {
  const base = pick(seeds, 'npy')[0].files['x.npy'];
  const f4 = encodeNpy(Float32Array.of(1, 2, 3), [3]);
  const i4 = enc(dec(f4).replace("'<f4'", "'<i4'"));
  return [base, f4, i4];
}

const npy: FuzzTarget = {
  name: 'npy',
  format: 'npy',
  arbitrary: (seeds) => fc.oneof(...npySeeds(seeds).map((b) => byteOps.map((ops) => ({ parser: 'npy' as const, main: 'x.npy', files: { 'x.npy': applyByteOps(b, ops) } })))),
};

const idx: FuzzTarget = {
  name: 'idx',
  format: 'idx',
  arbitrary: (seeds) => {
    const base = pick(seeds, 'idx')[0].files['x.idx'];
    const f32 = idxBytes([2, 2], new Uint8Array(16));
    f32[2] = 0x0d;
    return fc.oneof(...[base, f32].map((b) => byteOps.map((ops) => ({ parser: 'idx' as const, main: 'x.idx', files: { 'x.idx': applyByteOps(b, ops) } }))));
  },
};

// ---------- graph formats ----------

/** A graph description as JSON text, bytes as {"$bytes": [...]}, so JSON mutations can edit it. */
function specText(spec: unknown): string {
  return JSON.stringify(spec, (_, v: unknown) => (v instanceof Uint8Array ? { $bytes: Array.from(v) } : v));
}

function specOf(text: string): unknown {
  return JSON.parse(text, (_, v: unknown) => {
    const b = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as { $bytes?: unknown }).$bytes : undefined;
    return Array.isArray(b) && b.every((x) => typeof x === 'number') ? Uint8Array.from(b as number[]) : v;
  });
}

/**
 * Structure-aware mutation of a protobuf format: hostile values (huge and negative dims, wrong types,
 * names, paths) put into the description, which is then encoded. A description the encoder cannot write
 * (a string where a number must go) falls back to the seed: the parsers only ever see real protobuf.
 */
function protoSpecMutation(main: string, spec: unknown, encode: (spec: never) => Uint8Array): fc.Arbitrary<FuzzInput> {
  const text = specText(spec);
  const seed = encode(spec as never);
  return jsonOps.map((ops) => {
    let bytes = seed;
    try {
      bytes = encode(specOf(applyJsonOps(text, ops)) as never);
    } catch {
      // unwritable description: keep the seed
    }
    return { parser: 'model' as const, main, files: { [main]: bytes } };
  });
}

function protoTarget(name: 'onnx' | 'graphdef', spec: () => unknown, encode: (spec: never) => Uint8Array): FuzzTarget {
  return {
    name,
    format: name,
    arbitrary: (seeds) => {
      const s = pick(seeds, name).find((x) => x.id.endsWith('-mlp')) ?? pick(seeds, name)[0];
      return fc.oneof({ weight: 1, arbitrary: mutateFile(s, s.main) }, { weight: 1, arbitrary: protoSpecMutation(s.main, spec(), encode) });
    },
  };
}

const onnx = protoTarget('onnx', onnxMlp, (spec: OnnxSpec) => onnxBytes(spec));
const graphdef = protoTarget('graphdef', tfMlp, (spec: TfNodeSpec[]) => graphDefBytes(spec));

const tfjsGraph: FuzzTarget = {
  name: 'tfjs-graph',
  format: 'tfjs-graph',
  arbitrary: (seeds) =>
    fc.oneof(
      ...pick(seeds, 'tfjs-graph').flatMap((s) => {
        const text = dec(s.files[s.main]);
        const shard = Object.keys(s.files).find((k) => k !== s.main) as string;
        return [
          { weight: 3, arbitrary: jsonOps.map((ops) => ({ parser: 'model' as const, main: s.main, files: { ...s.files, [s.main]: enc(applyJsonOps(text, ops)) } })) },
          { weight: 1, arbitrary: mutateFile(s, s.main) },
          { weight: 1, arbitrary: mutateFile(s, shard) },
        ];
      }),
    ),
};

export const TARGETS: Readonly<Record<TargetName, FuzzTarget>> = { h5, 'keras-zip': kerasZip, 'tfjs-json': tfjsJson, npy, idx, onnx, graphdef, 'tfjs-graph': tfjsGraph };

/** The corpus-case view of a fuzz input: any typed error or success is acceptable. */
export function asCase(target: FuzzTarget, input: FuzzInput, id = 'fuzz'): HostileCase {
  return { id, format: target.format, category: 'fuzz-finding', parser: input.parser, main: input.main, files: input.files, expect: ['KerasrtError', 'ok'] };
}

// ---------- encoding inputs into shared memory ----------

/** [u32 header length][header JSON: parser, main, names, lengths][file bytes...] */
export function encodeInput(input: FuzzInput): Uint8Array {
  const names = Object.keys(input.files);
  const header = enc(JSON.stringify({ parser: input.parser, main: input.main, names, lengths: names.map((n) => input.files[n].length) }));
  const total = 4 + header.length + names.reduce((a, n) => a + input.files[n].length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let o = 4 + header.length;
  for (const n of names) {
    out.set(input.files[n], o);
    o += input.files[n].length;
  }
  return out;
}

export function decodeInput(b: Uint8Array): FuzzInput {
  const hl = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
  const h = JSON.parse(dec(b.subarray(4, 4 + hl))) as { parser: FuzzInput['parser']; main: string; names: string[]; lengths: number[] };
  const files: Record<string, Uint8Array> = {};
  let o = 4 + hl;
  h.names.forEach((n, i) => {
    files[n] = b.slice(o, o + h.lengths[i]);
    o += h.lengths[i];
  });
  return { parser: h.parser, main: h.main, files };
}
