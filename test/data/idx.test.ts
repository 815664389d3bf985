// IDX reader: header, dtypes, big-endian decoding, gzip, and refusal of malformed files (typed errors naming the file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'fflate';
import { encodeIdx, parseIdx, type IdxArray } from '../../src/data/idx.js';
import { KerasrtError, LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../src/core/errors.js';

test('idx: uint8 [2,3] decodes header and payload', () => {
  const bytes = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
  const a = parseIdx(bytes, 'small.idx');
  assert.equal(a.dtype, 'uint8');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 255]);
});

test('idx: every dtype round-trips through encodeIdx, big-endian on disk', () => {
  const cases: IdxArray[] = [
    { dtype: 'uint8', shape: [3], data: new Uint8Array([0, 128, 255]) },
    { dtype: 'int8', shape: [3], data: new Int8Array([-128, 0, 127]) },
    { dtype: 'int16', shape: [2, 2], data: new Int16Array([-32768, -1, 256, 32767]) },
    { dtype: 'int32', shape: [3], data: new Int32Array([-2147483648, 1, 2147483647]) },
    { dtype: 'float32', shape: [1, 3], data: new Float32Array([-1.5, 0, 3.25]) },
    { dtype: 'float64', shape: [2], data: new Float64Array([Math.PI, -1e300]) },
  ];
  for (const c of cases) {
    const bytes = encodeIdx(c);
    const back = parseIdx(bytes, `${c.dtype}.idx`);
    assert.equal(back.dtype, c.dtype);
    assert.deepEqual(back.shape, c.shape);
    assert.deepEqual([...back.data], [...c.data], c.dtype);
  }
  // int32 256 is 00 00 01 00 big-endian
  const be = encodeIdx({ dtype: 'int32', shape: [1], data: new Int32Array([256]) });
  assert.deepEqual([...be.subarray(8)], [0, 0, 1, 0]);
});

test('idx: gzip input is detected and inflated', () => {
  const raw = encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array([9, 8, 7, 6]) });
  const a = parseIdx(gzipSync(raw), 'x.idx.gz');
  assert.deepEqual([...a.data], [9, 8, 7, 6]);
});

test('idx: rank 0 is one element', () => {
  const a = parseIdx(new Uint8Array([0, 0, 0x08, 0, 42]), 'scalar.idx');
  assert.deepEqual(a.shape, []);
  assert.deepEqual([...a.data], [42]);
});

function throwsNaming(f: () => unknown, cls: new (...a: never[]) => KerasrtError, pattern: RegExp, file: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.equal(e.file, file);
    assert.ok(e.message.includes(file), `message should name the file: ${e.message}`);
    return true;
  });
}

test('idx: malformed files are refused with typed errors naming the file', () => {
  throwsNaming(() => parseIdx(new Uint8Array([0, 0]), 'short.idx'), ModelFormatError, /shorter than its 4-byte magic/, 'short.idx');
  throwsNaming(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'bad.idx'), ModelFormatError, /not an IDX file/, 'bad.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'dt.idx'), UnsupportedFeatureError, /dtype byte 0a/, 'dt.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]), 'hdr.idx'), ModelFormatError, /header needs 12 bytes/, 'hdr.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]), 'trunc.idx'), ModelFormatError, /truncated.*needs 3 payload bytes, file has 2/, 'trunc.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), 'pad.idx'), ModelFormatError, /trailing bytes/, 'pad.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 2, 0, 0, 0, 0]), 'f.idx'), ModelFormatError, /needs 8 payload bytes, file has 4/, 'f.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'huge.idx'), LimitExceededError, /more than the limit/, 'huge.idx');
  throwsNaming(() => parseIdx(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'bad.gz'), ModelFormatError, /gzip data is corrupt/, 'bad.gz');
  throwsNaming(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9]), 'lim.idx', { maxElements: 4 }), LimitExceededError, /limit 4/, 'lim.idx');
});
