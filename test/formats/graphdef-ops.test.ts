// GraphDef translation on hand-built graphs: the Keras dropout cond resolved for inference, NCHW convs,
// shape arithmetic folded at import (Shape/StridedSlice/Prod/Pack), fused TF.js ops, options and errors.
// Numbers are checked against the naive NCHW reference of the ONNX tests (independent of the NHWC IR).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnsupportedLayerError, UsageError } from '../../src/core/errors.js';
import type { TfAttr, TfNode, TfTensor } from '../../src/formats/graphdef/schema.js';
import { tfGraphEndpoints, translateTfGraph, type GraphImportOptions } from '../../src/formats/graphdef/translate.js';
import { verify } from '../../src/ir/verify.js';
import { referenceBackend } from '../../src/kernels/js/backend.js';
import { makePlan } from '../../src/planner/planner.js';
import { Session } from '../../src/runtime/session.js';
import * as R from './onnx-reference.js';

const dims = (shape: readonly number[]) => ({ dim: shape.map((size) => ({ size })) });
const f32 = (shape: number[], data: ArrayLike<number>): TfTensor => ({ dtype: 1, tensorShape: dims(shape), floatVal: Array.from(data) });
const i32 = (vals: number[], shape = [vals.length]): TfTensor => ({ dtype: 3, tensorShape: dims(shape), intVal: vals });
const bool = (v: boolean): TfTensor => ({ dtype: 10, tensorShape: dims([]), boolVal: [v] });
const s = (v: string): TfAttr => ({ s: new TextEncoder().encode(v) });
const li = (i: number[]): TfAttr => ({ list: { i } });
const ls = (v: string[]): TfAttr => ({ list: { s: v.map((x) => new TextEncoder().encode(x)) } });

function konst(name: string, t: TfTensor, input?: string[]): TfNode {
  return { name, op: 'Const', input, attr: { value: { tensor: t }, dtype: { type: t.dtype } } };
}
function ph(name: string, shape: number[] | undefined, dtype = 1): TfNode {
  return { name, op: 'Placeholder', attr: { dtype: { type: dtype }, ...(shape ? { shape: { shape: dims(shape) } } : {}) } };
}
function n(name: string, op: string, input: string[], attr: Record<string, TfAttr> = {}): TfNode {
  return { name, op, input, attr: { T: { type: 1 }, ...attr } };
}

function translate(nodes: TfNode[], options?: GraphImportOptions) {
  const imp = translateTfGraph({ nodes, file: 'test.pb', format: 'graphdef' }, options);
  verify(imp.graph);
  return imp;
}
function run(nodes: TfNode[], xs: Float32Array[], batch: number, options?: GraphImportOptions): Float32Array[] {
  return new Session(translate(nodes, options).graph, referenceBackend).runBatch(xs, batch);
}
function close(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  const d = R.maxAbsDiff(got, want);
  assert.ok(d <= tol, `max abs diff ${d} > ${tol}`);
}

/** A TF1 Keras model: Dense relu -> Dropout (tf.cond on keras_learning_phase) -> Dense softmax. */
function dropoutGraph(learningPhase: TfNode[]): TfNode[] {
  return [
    ph('x', [-1, 4]),
    ...learningPhase,
    konst('w1', f32([4, 3], R.rand(12, 1))),
    konst('w2', f32([3, 2], R.rand(6, 2))),
    n('dense/MatMul', 'MatMul', ['x', 'w1']),
    n('dense/Relu', 'Relu', ['dense/MatMul']),
    { name: 'dropout/cond/Switch', op: 'Switch', input: ['keras_learning_phase', 'keras_learning_phase'], attr: { T: { type: 10 } } },
    { name: 'dropout/cond/switch_t', op: 'Identity', input: ['dropout/cond/Switch:1'], attr: { T: { type: 10 } } },
    { name: 'dropout/cond/pred_id', op: 'Identity', input: ['keras_learning_phase'], attr: { T: { type: 10 } } },
    n('dropout/cond/mul/Switch', 'Switch', ['dense/Relu', 'dropout/cond/pred_id']),
    konst('dropout/cond/mul/y', f32([], [1]), ['^dropout/cond/switch_t']),
    n('dropout/cond/mul', 'Mul', ['dropout/cond/mul/Switch:1', 'dropout/cond/mul/y']),
    konst('dropout/cond/dropout/keep_prob', f32([], [0.5]), ['^dropout/cond/switch_t']),
    n('dropout/cond/dropout/Shape', 'Shape', ['dropout/cond/mul']),
    n('dropout/cond/dropout/random_uniform/RandomUniform', 'RandomUniform', ['dropout/cond/dropout/Shape']),
    n('dropout/cond/dropout/add', 'Add', ['dropout/cond/dropout/keep_prob', 'dropout/cond/dropout/random_uniform/RandomUniform']),
    n('dropout/cond/dropout/Floor', 'Floor', ['dropout/cond/dropout/add']),
    n('dropout/cond/dropout/div', 'RealDiv', ['dropout/cond/mul', 'dropout/cond/dropout/keep_prob']),
    n('dropout/cond/dropout/mul', 'Mul', ['dropout/cond/dropout/div', 'dropout/cond/dropout/Floor']),
    n('dropout/cond/Switch_1', 'Switch', ['dense/Relu', 'dropout/cond/pred_id']),
    n('dropout/cond/Merge', 'Merge', ['dropout/cond/Switch_1', 'dropout/cond/dropout/mul']),
    n('dense_2/MatMul', 'MatMul', ['dropout/cond/Merge', 'w2']),
    n('dense_2/Softmax', 'Softmax', ['dense_2/MatMul']),
  ];
}

function mlpReference(x: readonly number[], rows: number): number[] {
  const w1 = R.rand(12, 1);
  const w2 = R.rand(6, 2);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const h = [0, 1, 2].map((j) => Math.max(0, [0, 1, 2, 3].reduce((a, k) => a + x[r * 4 + k] * w1[k * 3 + j], 0)));
    const z = [0, 1].map((j) => h.reduce((a, v, k) => a + v * w2[k * 2 + j], 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    out.push(...e.map((v) => v / (e[0] + e[1])));
  }
  return out;
}

test('Keras dropout cond: the learning phase is 0, the training branch disappears', () => {
  const x = R.rand(12, 3);
  for (const lp of [
    [konst('lp/default', bool(false)), { name: 'keras_learning_phase', op: 'PlaceholderWithDefault', input: ['lp/default'], attr: { dtype: { type: 10 }, shape: { shape: dims([]) } } }],
    [ph('keras_learning_phase', [], 10)],
  ]) {
    const nodes = dropoutGraph(lp);
    const imp = translate(nodes);
    assert.deepEqual(imp.inputNames, ['x']);
    assert.deepEqual(imp.outputNames, ['dense_2/Softmax']);
    assert.deepEqual(imp.graph.nodes.map((v) => v.op), ['dense', 'activation', 'dense', 'softmax']);
    close(run(nodes, [Float32Array.from(x)], 3)[0], mlpReference(x, 3));
    const ep = tfGraphEndpoints({ nodes, file: 'test.pb', format: 'graphdef' });
    assert.deepEqual(ep.outputs.map((e) => e.name), ['dense_2/Softmax']);
    assert.ok(ep.inputs.some((e) => e.name === 'keras_learning_phase' && /learning phase/.test(e.note ?? '')));
  }
});

test('NCHW Conv2D (SAME, stride 2 on W) + BiasAdd NCHW, against the NCHW reference', () => {
  const wTf = R.rand(3 * 3 * 2 * 4, 4); // HWIO
  const bias = R.rand(4, 5);
  const nodes = [
    ph('x', [-1, 2, 5, 5]),
    konst('w', f32([3, 3, 2, 4], wTf)),
    konst('b', f32([4], bias)),
    n('conv', 'Conv2D', ['x', 'w'], { data_format: s('NCHW'), strides: li([1, 1, 1, 2]), padding: s('SAME'), dilations: li([1, 1, 1, 1]) }),
    n('bias', 'BiasAdd', ['conv', 'b'], { data_format: s('NCHW') }),
  ];
  const x = R.t([2, 2, 5, 5], R.rand(100, 6));
  const wOnnx = R.transpose(R.t([3, 3, 2, 4], wTf), [3, 2, 0, 1]);
  const want = R.conv(x, wOnnx, R.t([4], bias), { pads: [1, 1, 1, 1], strides: [1, 2] });
  const imp = translate(nodes);
  assert.deepEqual(imp.graph.values[imp.graph.outputs[0]]!.shape, [-1, 4, 5, 3]);
  close(run(nodes, [Float32Array.from(x.data)], 2)[0], want.data);
});

test('Pad, DepthwiseConv2dNative, FusedBatchNormV3, Relu6, AvgPool SAME, Mean, dynamic flatten (Shape/StridedSlice/Prod/Pack), ConcatV2, ExpandDims/Squeeze, MatMul transpose_b', () => {
  const dw = R.rand(3 * 3 * 2 * 2, 7); // [kh, kw, cin 2, mult 2]
  const [gamma, beta, mean] = [R.rand(4, 8), R.rand(4, 9), R.rand(4, 10)];
  const variance = R.rand(4, 11).map((v) => v + 1.2);
  const wd = R.rand(3 * 20, 12); // [3, 20], used with transpose_b
  const nodes = [
    ph('x', [-1, 4, 4, 2]),
    konst('paddings', i32([0, 0, 1, 0, 0, 1, 0, 0], [4, 2])),
    n('pad', 'Pad', ['x', 'paddings']),
    konst('dw', f32([3, 3, 2, 2], dw)),
    n('dwconv', 'DepthwiseConv2dNative', ['pad', 'dw'], { strides: li([1, 2, 2, 1]), padding: s('VALID'), data_format: s('NHWC') }),
    konst('gamma', f32([4], gamma)),
    konst('beta', f32([4], beta)),
    konst('mean', f32([4], mean)),
    konst('var', f32([4], variance)),
    n('bn', 'FusedBatchNormV3', ['dwconv', 'gamma', 'beta', 'mean', 'var'], { epsilon: { f: 0.001 }, is_training: { b: false }, data_format: s('NHWC') }),
    n('relu6', 'Relu6', ['bn']),
    n('avg', 'AvgPool', ['relu6'], { ksize: li([1, 2, 2, 1]), strides: li([1, 1, 1, 1]), padding: s('SAME'), data_format: s('NHWC') }),
    konst('axes', i32([1, 2])),
    n('gap', 'Mean', ['avg', 'axes'], { keep_dims: { b: false } }),
    n('flat/Shape', 'Shape', ['avg']),
    konst('b0', i32([0])),
    konst('b1', i32([1])),
    konst('e0', i32([0])),
    n('flat/batch', 'StridedSlice', ['flat/Shape', 'b0', 'b1', 'b1'], { shrink_axis_mask: { i: 1 } }),
    n('flat/rest', 'StridedSlice', ['flat/Shape', 'b1', 'e0', 'b1'], { end_mask: { i: 1 } }),
    konst('red0', i32([0])),
    n('flat/prod', 'Prod', ['flat/rest', 'red0'], { keep_dims: { b: false } }),
    n('flat/shape', 'Pack', ['flat/batch', 'flat/prod'], { axis: { i: 0 } }),
    n('flat', 'Reshape', ['avg', 'flat/shape']),
    konst('cat/axis', i32([1], [])),
    n('cat', 'ConcatV2', ['gap', 'flat', 'cat/axis']),
    konst('one', i32([1], [])),
    n('expand', 'ExpandDims', ['cat', 'one']),
    n('squeeze', 'Squeeze', ['expand'], { squeeze_dims: li([1]) }),
    konst('wd', f32([3, 20], wd)),
    n('logits', 'MatMul', ['squeeze', 'wd'], { transpose_b: { b: true } }),
    n('probs', 'Softmax', ['logits']),
  ];
  const batch = 2;
  const xNhwc = R.t([batch, 4, 4, 2], R.rand(batch * 32, 13));
  // Reference in NCHW.
  let r = R.transpose(xNhwc, [0, 3, 1, 2]);
  r = R.pad(r, [0, 0, 1, 0, 0, 0, 0, 1]);
  const wOnnx = R.t(
    [4, 1, 3, 3],
    Array.from({ length: 36 }, (_, i) => {
      const o = Math.floor(i / 9);
      const ky = Math.floor((i % 9) / 3);
      const kx = i % 3;
      return dw[((ky * 3 + kx) * 2 + Math.floor(o / 2)) * 2 + (o % 2)];
    }),
  );
  r = R.conv(r, wOnnx, undefined, { strides: [2, 2], group: 2 });
  r = R.t(r.shape, Array.from(r.data, (v, i) => {
    const c = Math.floor(i / 4) % 4;
    return Math.min(6, Math.max(0, ((v - mean[c]) / Math.sqrt(variance[c] + 0.001)) * gamma[c] + beta[c]));
  }));
  r = R.pool(r, 'avg', { kernel: [2, 2], pads: [0, 0, 1, 1] });
  const gap = Array.from({ length: batch * 4 }, (_, k) => r.data.slice(k * 4, k * 4 + 4).reduce((a, b) => a + b, 0) / 4);
  const flat = R.transpose(r, [0, 2, 3, 1]).data; // TF flattens NHWC
  const want: number[] = [];
  for (let b = 0; b < batch; b++) {
    const feat = [...gap.slice(b * 4, b * 4 + 4), ...flat.slice(b * 16, b * 16 + 16)];
    const z = [0, 1, 2].map((j) => feat.reduce((a, v, k) => a + v * wd[j * 20 + k], 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, v) => a + v, 0);
    want.push(...e.map((v) => v / sum));
  }
  const imp = translate(nodes);
  assert.ok(!imp.graph.nodes.some((v) => v.name.startsWith('flat/')), 'shape arithmetic is folded at import');
  close(run(nodes, [Float32Array.from(xNhwc.data)], batch)[0], want);
});

test('_FusedConv2D (BiasAdd, Relu / FusedBatchNorm) and _FusedMatMul (BiasAdd, LeakyRelu) equal their unfused graphs', () => {
  const w = R.rand(2 * 2 * 3 * 2, 20);
  const b = R.rand(2, 21);
  const wm = R.rand(8 * 3, 22);
  const bm = R.rand(3, 23);
  const base = [ph('x', [-1, 3, 3, 3]), konst('w', f32([2, 2, 3, 2], w)), konst('b', f32([2], b)), konst('wm', f32([8, 3], wm)), konst('bm', f32([3], bm)), konst('shape', i32([-1, 8]))];
  const convAttrs = { strides: li([1, 1, 1, 1]), padding: s('VALID'), data_format: s('NHWC'), dilations: li([1, 1, 1, 1]) };
  const fused = [
    ...base,
    n('conv', '_FusedConv2D', ['x', 'w', 'b'], { ...convAttrs, fused_ops: ls(['BiasAdd', 'Relu']), num_args: { i: 1 } }),
    n('flat', 'Reshape', ['conv', 'shape']),
    n('y', '_FusedMatMul', ['flat', 'wm', 'bm'], { fused_ops: ls(['BiasAdd', 'LeakyRelu']), leakyrelu_alpha: { f: 0.3 }, transpose_a: { b: false }, transpose_b: { b: false } }),
  ];
  const plainNodes = [
    ...base,
    n('c0', 'Conv2D', ['x', 'w'], convAttrs),
    n('c1', 'BiasAdd', ['c0', 'b']),
    n('conv', 'Relu', ['c1']),
    n('flat', 'Reshape', ['conv', 'shape']),
    n('m0', 'MatMul', ['flat', 'wm']),
    n('m1', 'BiasAdd', ['m0', 'bm']),
    n('y', 'LeakyRelu', ['m1'], { alpha: { f: 0.3 } }),
  ];
  const x = Float32Array.from(R.rand(2 * 27, 24));
  close(run(fused, [x], 2)[0], run(plainNodes, [x], 2)[0], 1e-6);

  const bn = [konst('g', f32([2], [1.5, 0.5])), konst('be', f32([2], [0.1, -0.2])), konst('mu', f32([2], [0.3, 0.4])), konst('v', f32([2], [2, 3]))];
  const fusedBn = [...base, ...bn, n('y', '_FusedConv2D', ['x', 'w', 'g', 'be', 'mu', 'v'], { ...convAttrs, fused_ops: ls(['FusedBatchNorm', 'Relu']), epsilon: { f: 0.01 } })];
  const plainBn = [...base, ...bn, n('c0', 'Conv2D', ['x', 'w'], convAttrs), n('c1', 'FusedBatchNorm', ['c0', 'g', 'be', 'mu', 'v'], { epsilon: { f: 0.01 }, is_training: { b: false } }), n('y', 'Relu', ['c1'])];
  close(run(fusedBn, [x], 2)[0], run(plainBn, [x], 2)[0], 1e-6);
});

test('options: outputs by name (with port), inputs, inputShapes; errors name the node', () => {
  const nodes = [ph('x', [-1, -1]), konst('w', f32([4, 2], R.rand(8, 30))), n('mm', 'MatMul', ['x', 'w']), n('r', 'Relu', ['mm']), n('t', 'Tanh', ['r'])];
  assert.throws(() => translate(nodes), (e: unknown) => e instanceof UnsupportedLayerError && /inputShapes/.test(e.message) && e.message.includes('test.pb'));
  const imp = translate(nodes, { inputShapes: { x: [-1, 4] }, outputs: ['r:0', 'mm'] });
  assert.deepEqual(imp.outputNames, ['r', 'mm']);
  assert.deepEqual(imp.graph.nodes.map((v) => v.op), ['dense', 'activation']);
  assert.throws(() => translate(nodes, { inputShapes: { x: [-1, 4] }, inputs: [], outputs: ['nope'] }), /nope/);
  const unsupported = [ph('x', [-1, 4]), n('y', 'Erf', ['x'])];
  assert.throws(
    () => translate(unsupported, { outputs: ['y'] }),
    (e: unknown) => e instanceof UnsupportedLayerError && e.className === 'Erf' && e.layerName === 'y',
  );
  // Default outputs never stop short of an unsupported op on the inference path (they would be an earlier
  // layer's values); a loss-side node that needs the labels placeholder stays tolerated.
  const midway = [ph('x', [-1, 4]), konst('w', f32([4, 2], R.rand(8, 31))), n('mm', 'MatMul', ['x', 'w']), n('e', 'Erf', ['mm']), n('y', 'Relu', ['e'])];
  assert.throws(
    () => translate(midway),
    (e: unknown) => e instanceof UnsupportedLayerError && e.className === 'Erf' && e.layerName === 'e' && /"mm"/.test(e.message) && /name the outputs/.test(e.message),
  );
  assert.deepEqual(translate(midway, { outputs: ['mm'] }).outputNames, ['mm']);
  const lossSide = [ph('x', [-1, 4]), ph('labels', [-1, 2]), konst('w', f32([4, 2], R.rand(8, 32))), n('mm', 'MatMul', ['x', 'w']), n('y', 'Relu', ['mm']), n('e', 'Erf', ['y']), n('d', 'Sub', ['e', 'labels'])];
  assert.deepEqual(translate(lossSide).outputNames, ['y']);
  const twoInputs = [ph('a', [-1, 2]), ph('b', [-1, 2]), n('s', 'Add', ['a', 'b'])];
  assert.deepEqual(translate(twoInputs).inputNames, ['a', 'b']);
  assert.deepEqual(translate(twoInputs, { inputs: ['b', 'a'] }).inputNames, ['b', 'a']);
  assert.throws(() => translate(twoInputs, { inputs: ['a'] }), UsageError);
});

test('MatMul with transpose_a, or with the constant on the left, on fully static shapes', () => {
  const x = R.rand(6, 40); // [2, 3]
  const wl = R.rand(8, 41); // [4, 2]
  const wr = R.rand(10, 42); // [2, 5]
  const nodes = [
    ph('x', [2, 3]),
    konst('wl', f32([4, 2], wl)),
    konst('wr', f32([2, 5], wr)),
    n('left', 'MatMul', ['wl', 'x']),
    n('ta', 'MatMul', ['x', 'wr'], { transpose_a: { b: true } }),
  ];
  // A fixed batch of 2 (Session takes dim 0 as the batch, so run the plan directly).
  const graph = translate(nodes, { outputs: ['left', 'ta'] }).graph;
  const ex = referenceBackend.prepare(makePlan(graph, 1, referenceBackend));
  ex.inputView(0).set(x);
  ex.run();
  const [left, ta] = [ex.outputView(0), ex.outputView(1)];
  const mm = (a: number[], b: number[], m: number, k: number, nn: number) =>
    Array.from({ length: m * nn }, (_, i) => Array.from({ length: k }, (_, q) => a[Math.floor(i / nn) * k + q] * b[q * nn + (i % nn)]).reduce((p, v) => p + v, 0));
  close(left, mm(wl, x, 4, 2, 3));
  const xt = [0, 1, 2].flatMap((c) => [x[c], x[3 + c]]); // [3, 2]
  close(ta, mm(xt, wr, 3, 2, 5));
  const dynamic = [ph('x', [-1, 3]), konst('w', f32([3, 3], R.rand(9, 43))), n('y', 'MatMul', ['x', 'w'], { transpose_a: { b: true } })];
  assert.throws(() => translate(dynamic), /transpose_a/);
});

test('default outputs skip a translatable loss subgraph that needs the labels placeholder', () => {
  const nodes = [
    ph('x', [-1, 4]),
    ph('labels', [-1, 2]),
    konst('w', f32([4, 2], R.rand(8, 50))),
    n('logits', 'MatMul', ['x', 'w']),
    n('y', 'Softmax', ['logits']),
    n('diff', 'Sub', ['y', 'labels']),
    n('sq', 'Square', ['diff']),
    konst('all', i32([0, 1])),
    n('loss', 'Mean', ['sq', 'all']),
  ];
  const imp = translate(nodes);
  assert.deepEqual(imp.inputNames, ['x']);
  assert.deepEqual(imp.outputNames, ['y']);
  const both = translate(nodes, { outputs: ['loss'] });
  assert.deepEqual(both.inputNames, ['x', 'labels']);
  assert.deepEqual(both.graph.values[both.graph.outputs[0]]!.shape, []);
});
