// .npy/.npz reader and writer: header versions 1-3, dtypes, byte order, refusals; the shared reference files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy, parseNpy, parseNpz } from '../../src/formats/readers/npy.js';
import { LimitExceededError, ModelFormatError, UnsupportedFeatureError } from '../../src/core/errors.js';

const SHARED = resolve(process.cwd(), '../shared/models');

/** Builds a .npy by hand, as numpy lays it out (header padded so data starts at a multiple of 64). */
function npy(dict: string, payload: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const enc = new TextEncoder().encode(dict);
  const total = Math.ceil((pre + enc.length + 1) / 64) * 64;
  const out = new Uint8Array(total + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  const hlen = total - pre;
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  out.fill(0x20, pre, total - 1);
  out.set(enc, pre);
  out[total - 1] = 0x0a;
  out.set(payload, total);
  return out;
}

function bytesOf(values: number[], size: number, set: (dv: DataView, at: number, v: number) => void): Uint8Array {
  const b = new Uint8Array(values.length * size);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => set(dv, i * size, v));
  return b;
}

test('npy: writer output parses back (v1 header, 64-byte aligned data)', () => {
  const data = Float32Array.from([1, -2.5, 3e-8, Infinity, -0]);
  const bytes = encodeNpy(data, [5]);
  // Byte-identical to numpy 2.4's np.save(f, np.array([...], np.float32)) (checked when written):
  // v1, header padded with spaces to 128 bytes in all, data at offset 128.
  assert.equal(bytes.length, 128 + 20);
  assert.deepEqual([...bytes.subarray(0, 10)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
  const header = new TextDecoder().decode(bytes.subarray(10, 128));
  assert.equal(header, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }" + ' '.repeat(60) + '\n');
  const a = parseNpy(bytes, 'w.npy');
  assert.deepEqual(a.shape, [5]);
  assert.equal(a.descr, '<f4');
  assert.deepEqual([...a.data], [...data]);
  const m = parseNpy(encodeNpy(new Float32Array(6).map((_, i) => i), [2, 3]), 'm.npy');
  assert.deepEqual(m.shape, [2, 3]);
  const s = parseNpy(encodeNpy(Float32Array.of(7), []), 's.npy');
  assert.deepEqual(s.shape, []);
  assert.deepEqual([...s.data], [7]);
});

test('npy: dtypes and byte orders convert to float32', () => {
  const cases: [string, Uint8Array, number[]][] = [
    ['<f8', bytesOf([0.1, -3], 8, (d, a, v) => d.setFloat64(a, v, true)), [Math.fround(0.1), -3]],
    ['>f8', bytesOf([0.1, -3], 8, (d, a, v) => d.setFloat64(a, v, false)), [Math.fround(0.1), -3]],
    ['>f4', bytesOf([1.5, 2], 4, (d, a, v) => d.setFloat32(a, v, false)), [1.5, 2]],
    ['<f2', bytesOf([0x3c00, 0xc000, 0x7c00, 0x0001], 2, (d, a, v) => d.setUint16(a, v, true)), [1, -2, Infinity, 2 ** -24]],
    ['<i4', bytesOf([-7, 2147483647], 4, (d, a, v) => d.setInt32(a, v, true)), [-7, 2147483648]],
    ['>i4', bytesOf([-7, 9], 4, (d, a, v) => d.setInt32(a, v, false)), [-7, 9]],
    ['<i8', bytesOf([-5, 123456], 8, (d, a, v) => d.setBigInt64(a, BigInt(v), true)), [-5, 123456]],
    ['<u8', bytesOf([5, 2 ** 40], 8, (d, a, v) => d.setBigUint64(a, BigInt(v), true)), [5, 2 ** 40]],
    ['|u1', Uint8Array.of(0, 255), [0, 255]],
    ['|i1', Uint8Array.of(0x80, 1), [-128, 1]],
    ['|b1', Uint8Array.of(1, 0), [1, 0]],
    ['<i2', bytesOf([-300, 300], 2, (d, a, v) => d.setInt16(a, v, true)), [-300, 300]],
    ['<u2', bytesOf([65535, 1], 2, (d, a, v) => d.setUint16(a, v, true)), [65535, 1]],
    ['<u4', bytesOf([4294967295, 1], 4, (d, a, v) => d.setUint32(a, v, true)), [4294967296, 1]],
  ];
  for (const [descr, payload, want] of cases) {
    const a = parseNpy(npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (${want.length},), }`, payload), `${descr}.npy`);
    assert.deepEqual([...a.data], want, descr);
    assert.equal(a.descr, descr);
  }
});

test('npy: header versions 2 and 3, key order and spacing variants, python2 long ints', () => {
  const payload = bytesOf([1, 2, 3, 4, 5, 6], 4, (d, a, v) => d.setFloat32(a, v, true));
  for (const [version, dict] of [
    [2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"],
    [3, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}"],
    [1, "{'descr':'<f4','fortran_order':False,'shape':(2L, 3L)}"],
    [1, '{"descr": "<f4", "fortran_order": False, "shape": [2, 3]}'],
  ] as const) {
    const a = parseNpy(npy(dict, payload, version), `v${version}.npy`);
    assert.deepEqual(a.shape, [2, 3], dict);
    assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
  }
  // empty arrays
  const e = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", new Uint8Array(0)), 'e.npy');
  assert.deepEqual(e.shape, [0, 3]);
  assert.equal(e.data.length, 0);
});

function rejects(f: () => unknown, cls: new (...a: never[]) => Error, pattern: RegExp, file: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(e.message.startsWith(file), `message should name ${file}: ${e.message}`);
    return true;
  });
}

test('npy: refusals are typed and name the file', () => {
  const f4 = (shape: string, fortran = 'False', descr = "'<f4'") => `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const four = new Uint8Array(16);
  rejects(() => parseNpy(npy(f4('(2, 2)', 'True'), four), 'fo.npy'), UnsupportedFeatureError, /Fortran order/, 'fo.npy');
  rejects(() => parseNpy(npy(f4('(2,)', 'False', "'|O'"), new Uint8Array(16)), 'obj.npy'), UnsupportedFeatureError, /Python objects/, 'obj.npy');
  rejects(() => parseNpy(npy(f4('(2,)', 'False', "[('a', '<f4'), ('b', '<i4')]"), new Uint8Array(16)), 'rec.npy'), UnsupportedFeatureError, /structured/, 'rec.npy');
  rejects(() => parseNpy(npy(f4('(2,)', 'False', "'<U3'"), new Uint8Array(24)), 'str.npy'), UnsupportedFeatureError, /not supported/, 'str.npy');
  rejects(() => parseNpy(npy(f4('(2,)', 'False', "'<c8'"), new Uint8Array(16)), 'cx.npy'), UnsupportedFeatureError, /not supported/, 'cx.npy');
  rejects(() => parseNpy(npy(f4('(5,)'), four), 'short.npy'), ModelFormatError, /truncated: .* needs 20 bytes, file has 16/, 'short.npy');
  rejects(() => parseNpy(npy(f4('(3,)'), four), 'long.npy'), ModelFormatError, /trailing bytes/, 'long.npy');
  rejects(() => parseNpy(new Uint8Array([1, 2, 3]), 'x.npy'), ModelFormatError, /not a .npy file/, 'x.npy');
  const badVersion = npy(f4('(1,)'), new Uint8Array(4));
  badVersion[6] = 4;
  rejects(() => parseNpy(badVersion, 'v4.npy'), UnsupportedFeatureError, /version 4/, 'v4.npy');
  const badLen = npy(f4('(1,)'), new Uint8Array(4));
  new DataView(badLen.buffer).setUint16(8, 60000, true);
  rejects(() => parseNpy(badLen, 'len.npy'), ModelFormatError, /header says 60000 bytes/, 'len.npy');
  rejects(() => parseNpy(npy("{'descr': '<f4', 'shape': (1,)}", new Uint8Array(4)), 'nf.npy'), ModelFormatError, /fortran_order/, 'nf.npy');
  rejects(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", new Uint8Array(4)), 'neg.npy'), ModelFormatError, /non-negative/, 'neg.npy');
  rejects(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", new Uint8Array(4)), 'syn.npy'), ModelFormatError, /not a Python dict literal/, 'syn.npy');
  rejects(() => parseNpy(npy("__import__('os')", new Uint8Array(4)), 'evil.npy'), ModelFormatError, /not a Python dict literal/, 'evil.npy');
  rejects(() => parseNpy(npy(f4('(100000, 100000)'), new Uint8Array(0)), 'big.npy'), LimitExceededError, /limit/, 'big.npy');
});

test('npz: entries are read (stored and deflated), keys without .npy', () => {
  const a = encodeNpy(Float32Array.of(1, 2), [2]);
  const i32 = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 3), }", bytesOf([7, 0, 255], 4, (d, at, v) => d.setInt32(at, v, true)));
  const zip = zipSync({ 'inputs.npy': [i32, { level: 0 }], 'outputs.npy': [a, { level: 6 }] });
  const m = parseNpz(zip, 'd.npz');
  assert.deepEqual([...m.keys()].sort(), ['inputs', 'outputs']);
  assert.deepEqual(m.get('inputs')?.shape, [1, 3]);
  assert.deepEqual([...(m.get('inputs')?.data ?? [])], [7, 0, 255]);
  assert.deepEqual([...(m.get('outputs')?.data ?? [])], [1, 2]);
  rejects(() => parseNpz(new Uint8Array([1, 2, 3, 4]), 'bad.npz'), ModelFormatError, /not a readable zip/, 'bad.npz');
});

test('npy: the shared dl4j reference files (<f8 input, <f4 predictions)', { skip: !existsSync(SHARED) && 'no ../shared' }, () => {
  const dir = join(SHARED, 'keras-h5/dl4j-cnn-batchnorm-tiny');
  const x = parseNpy(readFileSync(join(dir, 'input.npy')), 'input.npy');
  assert.equal(x.descr, '<f8');
  assert.deepEqual(x.shape, [5, 10, 10, 3]);
  assert.ok(Math.abs(x.data[0] - 0.27812652) < 1e-7);
  const p = parseNpy(readFileSync(join(dir, 'predictions.npy')), 'predictions.npy');
  assert.deepEqual(p.shape, [5, 1]);
  // the values predict.py asserts
  const want = [-0.0520611, 0.04986075, 0.16297522, 0.15389983, 0.15537278];
  want.forEach((w, i) => assert.ok(Math.abs(p.data[i] - w) < 1e-7, `${i}: ${p.data[i]}`));
});

test('npz: the ONNX zoo test data (int32 inputs and one-hot outputs)', { skip: !existsSync(SHARED) && 'no ../shared' }, () => {
  for (let k = 0; k < 3; k++) {
    const m = parseNpz(readFileSync(join(SHARED, `onnx/onnx-model-zoo-mnist-cntk/test_data_${k}.npz`)), `test_data_${k}.npz`);
    const inputs = m.get('inputs');
    const outputs = m.get('outputs');
    assert.ok(inputs && outputs);
    assert.equal(inputs.descr, '<i4');
    assert.deepEqual(inputs.shape, [1, 784]);
    assert.deepEqual(outputs.shape, [1, 10]);
    assert.ok(inputs.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    assert.equal(outputs.data.reduce((a, b) => a + b, 0), 1);
  }
});
