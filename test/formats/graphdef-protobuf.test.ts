// The schema-driven protobuf decoder: varints (negative int64), packed and unpacked repeated fields, maps,
// unknown fields skipped, and typed errors for truncated or hostile input.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LimitExceededError, ModelFormatError } from '../../src/core/errors.js';
import { decodeProto, scanFields, type MessageSchema } from '../../src/formats/graphdef/protobuf.js';

function varint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}
const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const len = (bytes: number[]) => [...varint(BigInt(bytes.length)), ...bytes];
const f32 = (v: number) => [...new Uint8Array(Float32Array.of(v).buffer)];

const Inner: MessageSchema = { name: 'Inner', fields: { 1: { name: 'v', type: 'int64' } } };
const Entry: MessageSchema = { name: 'Entry', fields: { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: () => Inner } } };
const Outer: MessageSchema = {
  name: 'Outer',
  fields: {
    1: { name: 'i', type: 'int64' },
    2: { name: 'ints', type: 'int64', repeated: true },
    3: { name: 'floats', type: 'float', repeated: true },
    4: { name: 's', type: 'string' },
    5: { name: 'map', type: () => Entry, map: true },
    6: { name: 'inner', type: () => Inner, repeated: true },
    7: { name: 'b', type: 'bool' },
  },
};

test('decodes scalars, negative int64, packed and unpacked repeats, maps; skips unknown fields', () => {
  const bytes = Uint8Array.from([
    ...tag(1, 0), ...varint(-5n),
    ...tag(2, 2), ...len([...varint(1n), ...varint(300n), ...varint(-1n)]),
    ...tag(2, 0), ...varint(7n),
    ...tag(3, 5), ...f32(1.5),
    ...tag(3, 2), ...len([...f32(-2), ...f32(0.25)]),
    ...tag(99, 2), ...len([1, 2, 3]),
    ...tag(98, 1), 0, 0, 0, 0, 0, 0, 0, 0,
    ...tag(4, 2), ...len([...new TextEncoder().encode('héllo')]),
    ...tag(5, 2), ...len([...tag(1, 2), ...len([0x6b]), ...tag(2, 2), ...len([...tag(1, 0), ...varint(42n)])]),
    ...tag(6, 2), ...len([...tag(1, 0), ...varint(2n ** 40n)]),
    ...tag(6, 2), ...len([]),
    ...tag(7, 0), 1,
  ]);
  const m = decodeProto(bytes, Outer, 'x.pb');
  assert.deepEqual(m, { i: -5, ints: [1, 300, -1, 7], floats: [1.5, -2, 0.25], s: 'héllo', map: Object.assign(Object.create(null) as object, { k: { v: 42 } }), inner: [{ v: 2 ** 40 }, {}], b: true });
  assert.deepEqual([...scanFields(bytes)!.keys()], [1, 2, 3, 99, 98, 4, 5, 6, 7]);
});

test('truncated and malformed input is a ModelFormatError naming the file; deep nesting is refused', () => {
  const good = Uint8Array.from([...tag(4, 2), ...len([0x61, 0x62, 0x63])]);
  assert.throws(() => decodeProto(good.subarray(0, 3), Outer, 'cut.pb'), (e: unknown) => e instanceof ModelFormatError && e.message.includes('cut.pb'));
  assert.throws(() => decodeProto(Uint8Array.from([...tag(1, 5), 0, 0, 0, 0]), Outer, 'wire.pb'), ModelFormatError);
  assert.throws(() => decodeProto(Uint8Array.from([0x80, 0x80, 0x80]), Outer, 'varint.pb'), ModelFormatError);
  const Deep: MessageSchema = { name: 'Deep', fields: { 1: { name: 'd', type: () => Deep } } };
  let nested: number[] = [];
  for (let i = 0; i < 100; i++) nested = [...tag(1, 2), ...len(nested)];
  assert.throws(() => decodeProto(Uint8Array.from(nested), Deep, 'deep.pb'), LimitExceededError);
  assert.equal(scanFields(good.subarray(0, 3)), undefined);
});
