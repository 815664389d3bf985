// ONNX translation on small hand-built models, checked against a naive NCHW reference (onnx-reference.ts):
// layout bookkeeping (NCHW -> NHWC, perms through Transpose/Concat/Slice/Pad), opset-dependent semantics,
// and the typed errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnsupportedFeatureError, UnsupportedLayerError } from '../../src/core/errors.js';
import { parseOnnx, translateOnnx, type OnnxImportOptions } from '../../src/formats/onnx/import.js';
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from '../../src/formats/onnx/schema.js';
import { verify } from '../../src/ir/verify.js';
import { referenceBackend } from '../../src/kernels/js/backend.js';
import { Session } from '../../src/runtime/session.js';
import * as R from './onnx-reference.js';

const FLOAT = 1;
const INT64 = 7;

function fInit(name: string, dims: number[], data: ArrayLike<number>): OnnxTensor {
  return { name, dims, dataType: FLOAT, floatData: Array.from(data) };
}
function iInit(name: string, data: number[], dims = [data.length]): OnnxTensor {
  return { name, dims, dataType: INT64, int64Data: data };
}
function vi(name: string, dims: (number | string)[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
const ai = (name: string, i: number): OnnxAttribute => ({ name, type: 2, i });
const af = (name: string, f: number): OnnxAttribute => ({ name, type: 1, f });
const aints = (name: string, ints: number[]): OnnxAttribute => ({ name, type: 7, ints });
const as = (name: string, s: string): OnnxAttribute => ({ name, type: 3, s: new TextEncoder().encode(s) });
function node(opType: string, input: string[], output: string[], attribute: OnnxAttribute[] = []): OnnxNode {
  return { opType, input, output, name: output[0], attribute };
}
function model(opset: number, nodes: OnnxNode[], inputs: OnnxValueInfo[], outputs: string[], inits: OnnxTensor[] = []): OnnxModel {
  return { irVersion: 7, opsetImport: [{ domain: '', version: opset }], graph: { node: nodes, input: inputs, output: outputs.map((o) => ({ name: o })), initializer: inits } };
}

/** Imports, verifies and runs the graph as imported (reference kernels), batch n. */
function run(m: OnnxModel, xs: Float32Array[], n = 1, options?: OnnxImportOptions): Float32Array[] {
  const imp = translateOnnx(m, 'test.onnx', options);
  verify(imp.graph);
  const s = new Session(imp.graph, referenceBackend);
  return s.runBatch(xs, n);
}

function close(got: ArrayLike<number>, want: R.T, tol = 1e-4): void {
  assert.equal(got.length, want.data.length, `length ${got.length} vs ${want.data.length}`);
  const d = R.maxAbsDiff(got, want.data);
  assert.ok(d <= tol, `max abs diff ${d} > ${tol}`);
}

test('conv (asymmetric pads, strides) + LeakyRelu + MaxPool ceil_mode + Pad + Transpose + Flatten + Softmax(opset 11)', () => {
  const x = R.t([1, 3, 7, 6], R.rand(126, 1));
  const w = R.t([4, 3, 3, 3], R.rand(108, 2));
  const b = R.t([4], R.rand(4, 3));
  const m = model(
    11,
    [
      node('Conv', ['x', 'w', 'b'], ['c'], [aints('pads', [1, 0, 1, 2]), aints('strides', [2, 1]), aints('kernel_shape', [3, 3])]),
      node('LeakyRelu', ['c'], ['l'], [af('alpha', 0.1)]),
      node('MaxPool', ['l'], ['p'], [aints('kernel_shape', [2, 2]), aints('strides', [2, 2]), ai('ceil_mode', 1)]),
      node('Pad', ['p', 'pads'], ['q']),
      node('Transpose', ['q'], ['tq'], [aints('perm', [0, 2, 3, 1])]),
      node('Flatten', ['tq'], ['f']),
      node('Softmax', ['f'], ['y']),
    ],
    [vi('x', [1, 3, 7, 6])],
    ['y'],
    [fInit('w', [4, 3, 3, 3], w.data), fInit('b', [4], b.data), iInit('pads', [0, 1, 1, 0, 0, 0, 0, 1])],
  );
  let r = R.conv(x, w, b, { pads: [1, 0, 1, 2], strides: [2, 1] });
  r = R.map(r, (v) => (v < 0 ? 0.1 * v : v));
  r = R.pool(r, 'max', { kernel: [2, 2], strides: [2, 2], ceil: true });
  r = R.pad(r, [0, 1, 1, 0, 0, 0, 0, 1]);
  r = R.transpose(r, [0, 2, 3, 1]);
  r = R.reshape(r, [1, r.data.length]);
  r = R.softmaxRows(r, r.data.length);
  const [y] = run(m, [Float32Array.from(x.data)]);
  close(y, r, 1e-5);
});

test('depthwise conv + BatchNormalization + GlobalAveragePool + Flatten + Gemm(transB, alpha, beta) + Clip(opset 11 inputs)', () => {
  const x = R.t([1, 3, 5, 5], R.rand(75, 4));
  const w = R.t([6, 1, 3, 3], R.rand(54, 5));
  const [gamma, beta, mean] = [R.rand(6, 6), R.rand(6, 7), R.rand(6, 8)];
  const variance = R.rand(6, 9).map((v) => v + 1.5);
  const gw = R.t([4, 6], R.rand(24, 10));
  const gc = R.t([1, 4], R.rand(4, 11));
  const m = model(
    13,
    [
      node('Conv', ['x', 'w'], ['c'], [ai('group', 3), as('auto_pad', 'SAME_UPPER'), aints('kernel_shape', [3, 3])]),
      node('BatchNormalization', ['c', 'g', 'be', 'mu', 'var'], ['bn'], [af('epsilon', 1e-3)]),
      node('GlobalAveragePool', ['bn'], ['gap']),
      node('Flatten', ['gap'], ['f']),
      node('Gemm', ['f', 'gw', 'gc'], ['gm'], [ai('transB', 1), af('alpha', 0.5), af('beta', 2)]),
      node('Clip', ['gm', 'lo', 'hi'], ['y']),
    ],
    [vi('x', [1, 3, 5, 5])],
    ['y'],
    [
      fInit('w', [6, 1, 3, 3], w.data),
      fInit('g', [6], gamma),
      fInit('be', [6], beta),
      fInit('mu', [6], mean),
      fInit('var', [6], variance),
      fInit('gw', [4, 6], gw.data),
      fInit('gc', [1, 4], gc.data),
      fInit('lo', [], [-0.2]),
      fInit('hi', [], [0.3]),
    ],
  );
  let r = R.conv(x, w, undefined, { pads: [1, 1, 1, 1], group: 3 });
  r = R.t(
    r.shape,
    Array.from(r.data, (v, i) => {
      const c = Math.floor(i / 25) % 6;
      return ((v - mean[c]) / Math.sqrt(variance[c] + 1e-3)) * gamma[c] + beta[c];
    }),
  );
  const gap = R.t([1, 6], Array.from({ length: 6 }, (_, c) => r.data.slice(c * 25, c * 25 + 25).reduce((a, b) => a + b, 0) / 25));
  const gemm = R.t(
    [1, 4],
    Array.from({ length: 4 }, (_, j) => 0.5 * gap.data.reduce((acc, v, k) => acc + v * gw.data[j * 6 + k], 0) + 2 * gc.data[j]),
  );
  const [y] = run(m, [Float32Array.from(x.data)]);
  close(y, R.map(gemm, (v) => Math.min(0.3, Math.max(-0.2, v))), 1e-5);
});

test('opset 1: legacy broadcast Add(axis=1), Clip attrs, Softmax coerced to 2-D, Constant-node weights', () => {
  const x = R.t([1, 2, 4, 4], R.rand(32, 12));
  const w = R.t([3, 2, 2, 2], R.rand(24, 13));
  const bias = R.t([3], R.rand(3, 14));
  const m = model(
    1,
    [
      node('Constant', [], ['w'], [{ name: 'value', t: fInit('', [3, 2, 2, 2], w.data) }]),
      node('Constant', [], ['bias'], [{ name: 'value', t: fInit('', [3], bias.data) }]),
      node('Conv', ['x', 'w'], ['c'], [aints('kernel_shape', [2, 2])]),
      node('Add', ['c', 'bias'], ['a'], [ai('broadcast', 1), ai('axis', 1)]),
      node('Clip', ['a'], ['cl'], [af('min', -0.5), af('max', 0.5)]),
      node('Softmax', ['cl'], ['y'], [ai('axis', 1)]),
    ],
    [vi('x', [1, 2, 4, 4])],
    ['y'],
  );
  let r = R.conv(x, w, undefined, {});
  r = R.binary(r, R.t([3, 1, 1], bias.data), (a, b) => a + b);
  r = R.map(r, (v) => Math.min(0.5, Math.max(-0.5, v)));
  r = R.softmaxRows(r, 27); // opset < 13: softmax over the flattened [C, H, W] of each sample
  const [y] = run(m, [Float32Array.from(x.data)]);
  close(y, r, 1e-6);
});

test('Resize (opset 13 nearest, half_pixel) and Upsample (opset 9), Concat and Slice on NCHW values, AveragePool count_include_pad', () => {
  const x = R.t([1, 2, 3, 3], R.rand(18, 15));
  const w = R.t([2, 2, 1, 1], R.rand(4, 16));
  const m13 = model(
    13,
    [
      node('Conv', ['x', 'w'], ['c']),
      node('Resize', ['c', '', 'scales'], ['up'], [as('mode', 'nearest')]),
      node('Concat', ['up', 'up2'], ['cat'], [ai('axis', 1)]),
      node('Resize', ['x', '', 'scales'], ['up2'], [as('mode', 'nearest')]),
      node('Slice', ['cat', 'st', 'en', 'ax'], ['sl']),
      node('AveragePool', ['sl'], ['y'], [aints('kernel_shape', [3, 3]), aints('pads', [1, 1, 1, 1]), ai('count_include_pad', 1), aints('strides', [2, 2])]),
    ],
    [vi('x', [1, 2, 3, 3])],
    ['y'],
    [fInit('w', [2, 2, 1, 1], w.data), fInit('scales', [4], [1, 1, 2, 3]), iInit('st', [1]), iInit('en', [3]), iInit('ax', [1])],
  );
  const c = R.conv(x, w, undefined, {});
  let r = R.concat(R.upsample(c, 2, 3), R.upsample(x, 2, 3), 1);
  r = R.sliceAxis(r, 1, 1, 3);
  r = R.pool(r, 'avg', { kernel: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], countIncludePad: true });
  const [y] = run(m13, [Float32Array.from(x.data)]);
  close(y, r, 1e-6);

  const m9 = model(9, [node('Upsample', ['x', 's'], ['y'], [as('mode', 'nearest')])], [vi('x', [1, 2, 3, 3])], ['y'], [fInit('s', [4], [1, 1, 2, 2])]);
  close(run(m9, [Float32Array.from(x.data)])[0], R.upsample(x, 2, 2), 1e-7);
});

test('unsorted nodes, symbolic batch, Reshape with 0 and -1, Dropout and Identity, Sigmoid/Tanh, MatMul + Add', () => {
  const n = 3;
  const x = R.t([n, 4, 2, 2], R.rand(48, 17));
  const w = R.t([16, 5], R.rand(80, 18));
  const bias = R.t([5], R.rand(5, 19));
  const nodes = [
    node('Tanh', ['s'], ['y']),
    node('Sigmoid', ['a'], ['s']),
    node('Add', ['mm', 'bias'], ['a']),
    node('MatMul', ['d'], ['mm']),
    node('Dropout', ['i'], ['d', '']),
    node('Identity', ['r'], ['i']),
    node('Reshape', ['x', 'shape'], ['r']),
  ];
  nodes[3] = node('MatMul', ['d', 'w'], ['mm']);
  const m = model(13, nodes, [vi('x', ['batch', 4, 2, 2])], ['y'], [fInit('w', [16, 5], w.data), fInit('bias', [5], bias.data), iInit('shape', [0, -1])]);
  const flat = R.reshape(x, [n, 16]);
  const mm = R.t(
    [n, 5],
    Array.from({ length: n * 5 }, (_, k) => {
      const i = Math.floor(k / 5);
      const j = k % 5;
      let acc = bias.data[j];
      for (let q = 0; q < 16; q++) acc += flat.data[i * 16 + q] * w.data[q * 5 + j];
      return acc;
    }),
  );
  const want = R.map(mm, (v) => Math.tanh(1 / (1 + Math.exp(-v))));
  const imp = translateOnnx(m, 'test.onnx');
  assert.deepEqual(imp.graph.values[imp.graph.inputs[0]]!.shape, [-1, 4, 2, 2]);
  close(run(m, [Float32Array.from(x.data)], n)[0], want, 1e-6);
});

test('typed errors: external data, unknown op, non-default domain, too-new opset', () => {
  const ext: OnnxTensor = { name: 'w', dims: [2], dataType: FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] };
  const m1 = model(13, [node('Add', ['x', 'w'], ['y'])], [vi('x', [1, 2])], ['y'], [ext]);
  assert.throws(() => translateOnnx(m1, 'ext.onnx'), (e: unknown) => e instanceof UnsupportedFeatureError && /external/.test(e.message) && e.message.includes('ext.onnx'));
  const m2 = model(13, [node('Einsum', ['x'], ['y'])], [vi('x', [1, 2])], ['y']);
  assert.throws(() => translateOnnx(m2, 'op.onnx'), (e: unknown) => e instanceof UnsupportedLayerError && e.className === 'Einsum');
  const m3 = model(13, [{ ...node('FusedConv', ['x'], ['y']), domain: 'com.microsoft' }], [vi('x', [1, 2])], ['y']);
  assert.throws(() => translateOnnx(m3, 'ms.onnx'), UnsupportedLayerError);
  const m4 = model(99, [node('Relu', ['x'], ['y'])], [vi('x', [1, 2])], ['y']);
  assert.throws(() => translateOnnx(m4, 'new.onnx'), UnsupportedFeatureError);
});

test('a truncated file is a ModelFormatError naming the file', async () => {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const bytes = new Uint8Array(await readFile(path.resolve(process.cwd(), '../shared/models/onnx/wuhanstudio-keras2onnx-tiny/mnist-sm.onnx')));
  assert.throws(() => parseOnnx(bytes.subarray(0, 1000), 'cut.onnx'), (e: unknown) => e instanceof Error && e.name === 'ModelFormatError' && e.message.includes('cut.onnx'));
});

test('format sniffing tells ONNX, GraphDef, a SavedModel and JSON apart', async () => {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { looksLikeOnnx } = await import('../../src/formats/onnx/import.js');
  const { looksLikeGraphDef } = await import('../../src/formats/graphdef/import.js');
  const read = async (rel: string) => new Uint8Array(await readFile(path.resolve(process.cwd(), '../shared/models', rel)));
  const onnx = await read('onnx/onnx-model-zoo-mnist-cntk/model.onnx');
  const pb = await read('tf-frozen/chaow94-tf114-mlp-batch100/mnist.pb');
  const saved = await read('tf-savedmodel/tensorspace-saved/saved_model.pb');
  const json = await read('tfjs-graph/tensorspace-graphmodel/model.json');
  assert.deepEqual([onnx, pb, saved, json].map(looksLikeOnnx), [true, false, false, false]);
  assert.deepEqual([onnx, pb, saved, json].map(looksLikeGraphDef), [false, true, false, false]);
});
