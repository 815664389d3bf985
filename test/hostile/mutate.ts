// Mutation arbitraries for fast-check: byte-level edits of binary files (bit flips, interesting integers at
// header-biased offsets, cuts, inserts, deletions, copied ranges) and structure-aware edits of JSON (values
// replaced by hostile ones, keys renamed, elements deleted or duplicated). Ops are plain data, so fast-check
// can shrink a failing input to the fewest, smallest edits.

import fc from 'fast-check';

/** An offset: absolute near the start (where headers live) or a fraction of the length. */
export type Offset = { readonly abs: number } | { readonly frac: number };

export type ByteOp =
  | { readonly k: 'flip'; readonly at: Offset; readonly bit: number }
  | { readonly k: 'set'; readonly at: Offset; readonly v: number }
  | { readonly k: 'int'; readonly at: Offset; readonly width: 2 | 4 | 8; readonly le: boolean; readonly v: number }
  | { readonly k: 'cut'; readonly at: Offset }
  | { readonly k: 'insert'; readonly at: Offset; readonly bytes: Uint8Array }
  | { readonly k: 'delete'; readonly at: Offset; readonly len: number }
  | { readonly k: 'copy'; readonly from: Offset; readonly to: Offset; readonly len: number };

/** Integers that break parsers: zero, signs, powers of two around type boundaries, 2^53, all-ones. */
export const INTERESTING: readonly bigint[] = [
  0n, 1n, 2n, 3n, 4n, 7n, 8n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 2n ** 40n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n, 2n ** 64n - 1n,
];

const offset: fc.Arbitrary<Offset> = fc.oneof(fc.record({ abs: fc.nat({ max: 1023 }) }), fc.record({ frac: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }));

export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: offset, bit: fc.nat({ max: 7 }) }),
  fc.record({ k: fc.constant('set' as const), at: offset, v: fc.nat({ max: 255 }) }),
  fc.record({ k: fc.constant('int' as const), at: offset, width: fc.constantFrom(2 as const, 4 as const, 8 as const), le: fc.boolean(), v: fc.nat({ max: INTERESTING.length - 1 }) }),
  fc.record({ k: fc.constant('cut' as const), at: offset }),
  fc.record({ k: fc.constant('insert' as const), at: offset, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ k: fc.constant('delete' as const), at: offset, len: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ k: fc.constant('copy' as const), from: offset, to: offset, len: fc.integer({ min: 1, max: 512 }) }),
);

export const byteOps: fc.Arbitrary<ByteOp[]> = fc.array(byteOp, { minLength: 1, maxLength: 6 });

function pos(o: Offset, len: number): number {
  if (len === 0) return 0;
  return 'abs' in o ? Math.min(o.abs, len - 1) : Math.floor(o.frac * len);
}

/** Applies the ops in order to a copy of `src`. */
export function applyByteOps(src: Uint8Array, ops: readonly ByteOp[]): Uint8Array {
  let b = src.slice();
  for (const op of ops) {
    if (b.length === 0 && op.k !== 'insert') continue;
    switch (op.k) {
      case 'flip': {
        const i = pos(op.at, b.length);
        b[i] ^= 1 << op.bit;
        break;
      }
      case 'set':
        b[pos(op.at, b.length)] = op.v;
        break;
      case 'int': {
        const i = pos(op.at, b.length);
        let v = INTERESTING[op.v] & ((1n << BigInt(op.width * 8)) - 1n);
        for (let k = 0; k < op.width && i + k < b.length; k++) {
          const byte = Number(v & 0xffn);
          v >>= 8n;
          b[op.le ? i + k : i + op.width - 1 - k] = byte;
        }
        break;
      }
      case 'cut':
        b = b.slice(0, pos(op.at, b.length));
        break;
      case 'insert': {
        const i = pos(op.at, b.length + 1);
        const n = new Uint8Array(b.length + op.bytes.length);
        n.set(b.subarray(0, i));
        n.set(op.bytes, i);
        n.set(b.subarray(i), i + op.bytes.length);
        b = n;
        break;
      }
      case 'delete': {
        const i = pos(op.at, b.length);
        const n = new Uint8Array(b.length - Math.min(op.len, b.length - i));
        n.set(b.subarray(0, i));
        n.set(b.subarray(i + op.len), i);
        b = n;
        break;
      }
      case 'copy': {
        const from = pos(op.from, b.length);
        const to = pos(op.to, b.length);
        const chunk = b.slice(from, Math.min(b.length, from + op.len));
        b.set(chunk.subarray(0, Math.max(0, b.length - to)), to);
        break;
      }
    }
  }
  return b;
}

// ---------- JSON ----------

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Values that break importers: wrong types, huge and unsafe numbers, layer names, shape bombs. */
const HOSTILE_VALUES: readonly (() => JsonValue)[] = [
  () => -1, () => 0, () => 1, () => 3, () => 0.5, () => 1e12, () => 2 ** 53 + 2, () => 1e308, () => -1e308, () => 2 ** 31,
  () => '', () => 'x', () => 'relu', () => 'softmax', () => 'same', () => 'causal', () => 'channels_first', () => 'float16', () => 'int32', () => 'string',
  () => null, () => true, () => [], () => ({}), () => [1e9, 1e9], () => [null, 1e12], () => [null, 0], () => [-1, -1], () => [[['ghost', 0, 0]]],
  () => 'Lambda', () => 'Dense', () => 'Conv2D', () => 'InputLayer', () => 'Sequential', () => 'Functional', () => 'Add', () => 'Reshape', () => 'RepeatVector',
  () => '../x.bin', () => '/etc/passwd', () => JSON.parse('['.repeat(40) + ']'.repeat(40)) as JsonValue,
];
const KEYS: readonly string[] = ['name', 'units', 'class_name', 'config', 'inbound_nodes', 'layers', 'shape', 'dtype', 'paths', 'weights', 'batch_input_shape', 'target_shape', 'n', 'size', 'padding', 'filters', 'kernel_size', 'activation', 'axis'];

export type JsonOp =
  | { readonly k: 'replace'; readonly at: number; readonly v: number }
  | { readonly k: 'delete'; readonly at: number }
  | { readonly k: 'dup'; readonly at: number }
  | { readonly k: 'rename'; readonly at: number; readonly key: number };

export const jsonOps: fc.Arbitrary<JsonOp[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('replace' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), v: fc.nat({ max: HOSTILE_VALUES.length - 1 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('dup' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('rename' as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), key: fc.nat({ max: KEYS.length - 1 }) }) },
  ),
  { minLength: 1, maxLength: 5 },
);

interface Slot {
  readonly parent: JsonValue[] | { [k: string]: JsonValue };
  readonly key: string | number;
}

function slots(v: JsonValue, out: Slot[] = []): Slot[] {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), slots(x, out)));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) (out.push({ parent: v, key: k }), slots(v[k], out));
  return out;
}

/** Applies JSON ops to the parsed text and serialises it again (the text if it is not JSON). */
export function applyJsonOps(text: string, ops: readonly JsonOp[]): string {
  let root: JsonValue;
  try {
    root = JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
  for (const op of ops) {
    const all = slots(root);
    if (all.length === 0) break;
    const s = all[Math.floor(op.at * all.length)];
    const p = s.parent as Record<string | number, JsonValue>;
    switch (op.k) {
      case 'replace':
        p[s.key] = HOSTILE_VALUES[op.v]();
        break;
      case 'delete':
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else delete p[s.key];
        break;
      case 'dup':
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 0, JSON.parse(JSON.stringify(s.parent[s.key as number])) as JsonValue);
        break;
      case 'rename':
        if (!Array.isArray(s.parent)) {
          const v = p[s.key];
          delete p[s.key];
          p[KEYS[op.key]] = v;
        }
        break;
    }
  }
  return JSON.stringify(root);
}
