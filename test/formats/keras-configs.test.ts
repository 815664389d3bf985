// Keras config shapes that TF.js cannot produce or run: Keras 3 functional JSON (inbound nodes as
// {args, kwargs} with __keras_tensor__), Keras 1 layers (Merge, separate-gate LSTM), ReLU with threshold and
// negative slope, Normalization, Subtract, causal Conv1D, BatchNormalization on axis 1, Softmax on a middle
// axis, GRU reset_after, channels_first Flatten order. Checked against formulas or against an equivalent model.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importModel } from '../../src/formats/load.js';
import type { ImportedModel } from '../../src/formats/types.js';
import { verify } from '../../src/ir/verify.js';
import { layer, sequential, tfjsSource, values, type NamedWeight } from './synthetic.js';
import { runReference } from './run-reference.js';

async function imp(config: unknown, weights: NamedWeight[] = [], version?: string): Promise<ImportedModel> {
  const m = await importModel(tfjsSource(config, weights, version));
  verify(m.graph);
  return m;
}

function run(m: ImportedModel, ...xs: { shape: number[]; data: Float32Array }[]): Float32Array[] {
  return runReference(m.graph, xs).map((t) => t.data);
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(got.length, want.length, 'length');
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `[${i}]: got ${got[i]}, want ${want[i]}`);
}

const kt = (name: string, node = 0, t = 0) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [name, node, t] } });

describe('Keras config translation', () => {
  it('Keras 3 functional: {args, kwargs} inbound nodes, merge args as a list, single input ref', async () => {
    const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const config = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      registered_name: 'Functional',
      config: {
        name: 'f',
        trainable: true,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, name: 'inp', config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'inp' }, inbound_nodes: [] },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            registered_name: null,
            name: 'd',
            config: { name: 'd', dtype, units: 4, activation: { module: 'keras.activations', class_name: 'function', config: 'relu', registered_name: 'relu' }, use_bias: true },
            inbound_nodes: [{ args: [kt('inp')], kwargs: {} }],
          },
          { module: 'keras.layers', class_name: 'Subtract', registered_name: null, name: 'sub', config: { name: 'sub', dtype }, inbound_nodes: [{ args: [[kt('d'), kt('inp')]], kwargs: {} }] },
        ],
        input_layers: ['inp', 0, 0],
        output_layers: [['sub', 0, 0]],
      },
    };
    const kernel = values([4, 4], 3);
    const bias = values([4], 4);
    const m = await imp(config, [
      { name: 'd/kernel', shape: [4, 4], data: kernel },
      { name: 'd/bias', shape: [4], data: bias },
    ]);
    const x = values([1, 4], 9);
    const [y] = run(m, { shape: [1, 4], data: x });
    const want = [0, 1, 2, 3].map((j) => Math.max(0, bias[j] + [0, 1, 2, 3].reduce((a, i) => a + x[i] * kernel[i * 4 + j], 0)) - x[j]);
    close(y, want);
    assert.deepEqual(m.layers.find((l) => l.name === 'sub')?.inbound, ['d', 'inp']);
  });

  it('ReLU with threshold, negative_slope and max_value follows keras.activations.relu', async () => {
    const cfg = sequential([layer('ReLU', 'r', { batch_input_shape: [null, 9], max_value: 1.5, negative_slope: 0.1, threshold: 0.5 })]);
    const m = await imp(cfg);
    const x = Float32Array.from([-2, -0.5, 0, 0.25, 0.5, 0.75, 1, 2, 3]);
    const [y] = run(m, { shape: [1, 9], data: x });
    const want = [...x].map((v) => Math.min(Math.max(v > 0.5 ? v : 0, 0), 1.5) - 0.1 * Math.max(0.5 - v, 0));
    close(y, want);
    const simple = await imp(sequential([layer('ReLU', 'r', { batch_input_shape: [null, 2], max_value: 6 })]));
    assert.deepEqual(simple.graph.nodes[0].attrs, { activation: { fn: 'relu6' } });
  });

  it('hard_sigmoid follows the Keras version that wrote the file', async () => {
    const cfg = sequential([layer('Activation', 'a', { batch_input_shape: [null, 1], activation: 'hard_sigmoid' })]);
    const old = await imp(cfg, [], '2.2.4');
    const neu = await imp(cfg, [], '3.1.0');
    const x = { shape: [1, 1], data: Float32Array.of(1) };
    close(run(old, x)[0], [0.7]);
    close(run(neu, x)[0], [4 / 6]);
  });

  it('Normalization from weights (mean, variance, count) and from config, with invert', async () => {
    const mean = Float32Array.of(1, -2, 0.5);
    const variance = Float32Array.of(4, 0.25, 0);
    const m = await imp(sequential([layer('Normalization', 'n', { batch_input_shape: [null, 2, 3], axis: -1 })]), [
      { name: 'n/mean', shape: [3], data: mean },
      { name: 'n/variance', shape: [3], data: variance },
      { name: 'n/count', shape: [], data: Float32Array.of(10) },
    ]);
    const x = values([1, 2, 3], 5);
    const [y] = run(m, { shape: [1, 2, 3], data: x });
    close(
      y,
      [...x].map((v, i) => (v - mean[i % 3]) / Math.max(Math.sqrt(variance[i % 3]), 1e-7)),
    );
    const inv = await imp(sequential([layer('Normalization', 'n', { batch_input_shape: [null, 3], mean: [1, 2, 3], variance: [1, 4, 9], invert: true })]));
    close(run(inv, { shape: [1, 3], data: Float32Array.of(1, 1, 1) })[0], [2, 4, 6]);
  });

  it('causal Conv1D equals ZeroPadding1D((eff - 1, 0)) + valid Conv1D', async () => {
    const k = values([3, 2, 4], 7);
    const b = values([4], 8);
    const w = [
      { name: 'c/kernel', shape: [3, 2, 4], data: k },
      { name: 'c/bias', shape: [4], data: b },
    ];
    const causal = await imp(sequential([layer('Conv1D', 'c', { batch_input_shape: [null, 9, 2], filters: 4, kernel_size: [3], padding: 'causal', dilation_rate: [2] })]), w);
    const padded = await imp(
      sequential([layer('ZeroPadding1D', 'p', { batch_input_shape: [null, 9, 2], padding: [4, 0] }), layer('Conv1D', 'c', { filters: 4, kernel_size: 3, padding: 'valid', dilation_rate: 2 })]),
      w,
    );
    const x = { shape: [2, 9, 2], data: values([2, 9, 2], 11) };
    close(run(causal, x)[0], run(padded, x)[0]);
  });

  it('BatchNormalization on axis 1 and Softmax on a middle axis follow their formulas', async () => {
    const w = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((r, i) => ({ name: `bn/${r}`, shape: [3], data: values([3], 20 + i, r === 'moving_variance' ? 0.5 : -1, r === 'moving_variance' ? 2 : 1) }));
    const m = await imp(sequential([layer('BatchNormalization', 'bn', { batch_input_shape: [null, 3, 2], axis: 1, epsilon: 0.01 }), layer('Softmax', 's', { axis: 1 })]), w);
    const x = values([1, 3, 2], 30);
    const [y] = run(m, { shape: [1, 3, 2], data: x });
    const [g, be, mu, va] = w.map((e) => e.data);
    const z = [...x].map((v, i) => {
      const c = Math.floor(i / 2);
      return ((v - mu[c]) / Math.sqrt(va[c] + 0.01)) * g[c] + be[c];
    });
    const want = z.map((v, i) => {
      const col = i % 2;
      const s = [0, 1, 2].reduce((a, c) => a + Math.exp(z[c * 2 + col]), 0);
      return Math.exp(v) / s;
    });
    close(y, want);
  });

  it('Flatten after a channels_first layer flattens in NCHW order; Flatten(data_format=channels_first) in NHWC order', async () => {
    const base = { batch_input_shape: [null, 2, 2, 3] };
    const plain = await imp(sequential([layer('ZeroPadding2D', 'z', { ...base, padding: 0, data_format: 'channels_first' }), layer('Flatten', 'f')]));
    const x = { shape: [1, 2, 2, 3], data: Float32Array.from({ length: 12 }, (_, i) => i) };
    assert.deepEqual([...run(plain, x)[0]], [...x.data]);
    const cf = await imp(sequential([layer('Flatten', 'f', { ...base, data_format: 'channels_first' })]));
    // [N, C=2, H=2, W=3] moved to [N, H, W, C]: element (h, w, c) = x[c, h, w]
    const want: number[] = [];
    for (let h = 0; h < 2; h++) for (let wq = 0; wq < 3; wq++) for (let c = 0; c < 2; c++) want.push(c * 6 + h * 3 + wq);
    assert.deepEqual([...run(cf, x)[0]], want);
  });

  it('channels_first Conv2D wraps the NHWC op in transposes and keeps the Keras layout', async () => {
    const m = await imp(sequential([layer('Conv2D', 'c', { batch_input_shape: [null, 3, 5, 5], filters: 2, kernel_size: 3, data_format: 'channels_first', activation: 'softmax' })]), [
      { name: 'c/kernel', shape: [3, 3, 3, 2] },
      { name: 'c/bias', shape: [2] },
    ]);
    assert.deepEqual(m.graph.values[m.graph.outputs[0]]?.shape, [-1, 2, 3, 3]);
    assert.deepEqual(
      m.graph.nodes.map((n) => n.op),
      ['transpose', 'conv2d', 'transpose', 'softmax'],
    );
  });

  it('Keras 1 functional Merge (sum, concat) and a Keras 1 LSTM with separate gate weights', async () => {
    const F = 3;
    const U = 2;
    const gates = ['i', 'c', 'f', 'o'];
    const sep: NamedWeight[] = gates.flatMap((g, k) => [
      { name: `lstm_1_W_${g}:0`, shape: [F, U], data: values([F, U], 40 + k) },
      { name: `lstm_1_U_${g}:0`, shape: [U, U], data: values([U, U], 50 + k) },
      { name: `lstm_1_b_${g}:0`, shape: [U], data: values([U], 60 + k) },
    ]);
    const keras1 = {
      class_name: 'Model',
      config: {
        name: 'm',
        layers: [
          { name: 'in_1', class_name: 'InputLayer', config: { batch_input_shape: [null, 4, F], input_dtype: 'float32', name: 'in_1' }, inbound_nodes: [] },
          { name: 'lstm_1', class_name: 'LSTM', config: { name: 'lstm_1', output_dim: U, inner_activation: 'hard_sigmoid', activation: 'tanh', return_sequences: true, consume_less: 'cpu' }, inbound_nodes: [[['in_1', 0, 0]]] },
          { name: 'merge_1', class_name: 'Merge', config: { name: 'merge_1', mode: 'concat', concat_axis: -1 }, inbound_nodes: [[['lstm_1', 0, 0], ['in_1', 0, 0]]] },
        ],
        input_layers: [['in_1', 0, 0]],
        output_layers: [['merge_1', 0, 0]],
      },
    };
    const m1 = await imp(keras1, sep, '1.2.2');
    const get = (g: string, p: string): Float32Array => sep.find((w) => w.name === `lstm_1_${p}_${g}:0`)?.data as Float32Array;
    const fused = (p: string, rows: number): Float32Array => {
      const out: number[] = [];
      for (let r = 0; r < rows; r++) for (const g of ['i', 'f', 'c', 'o']) out.push(...get(g, p).subarray(r * U, (r + 1) * U));
      return Float32Array.from(out);
    };
    const keras2 = sequential([layer('LSTM', 'lstm_1', { batch_input_shape: [null, 4, F], units: U, recurrent_activation: 'hard_sigmoid', return_sequences: true })]);
    const m2 = await imp(
      keras2,
      [
        { name: 'lstm_1/kernel', shape: [F, 4 * U], data: fused('W', F) },
        { name: 'lstm_1/recurrent_kernel', shape: [U, 4 * U], data: fused('U', U) },
        { name: 'lstm_1/bias', shape: [4 * U], data: fused('b', 1) },
      ],
      '2.2.4',
    );
    const x = { shape: [1, 4, F], data: values([1, 4, F], 70) };
    const [y1] = run(m1, x);
    const [y2] = run(m2, x);
    assert.equal(y1.length, 4 * (U + F));
    for (let t = 0; t < 4; t++) close(y1.subarray(t * (U + F), t * (U + F) + U), y2.subarray(t * U, (t + 1) * U));
  });

  it("Keras 1 Convolution2D with dim_ordering 'th' ([out, in, kh, kw] kernel) equals a channels_first Conv2D", async () => {
    const [O, I, K] = [3, 2, 3];
    const th = values([O, I, K, K], 80);
    const hwio = new Float32Array(th.length);
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < K; y++) for (let x = 0; x < K; x++) hwio[((y * K + x) * I + i) * O + o] = th[((o * I + i) * K + y) * K + x];
    const bias = values([O], 81);
    const k1 = await imp(
      sequential([
        layer('Convolution2D', 'convolution2d_1', { batch_input_shape: [null, I, 6, 5], nb_filter: O, nb_row: K, nb_col: K, dim_ordering: 'th', border_mode: 'same', subsample: [1, 1], activation: 'relu', bias: true }),
        layer('MaxPooling2D', 'maxpooling2d_1', { pool_size: [2, 2], dim_ordering: 'th', border_mode: 'valid' }),
      ]),
      [
        { name: 'convolution2d_1_W:0', shape: [O, I, K, K], data: th },
        { name: 'convolution2d_1_b:0', shape: [O], data: bias },
      ],
      '1.2.2',
    );
    const k2 = await imp(
      sequential([
        layer('Conv2D', 'c', { batch_input_shape: [null, I, 6, 5], filters: O, kernel_size: K, data_format: 'channels_first', padding: 'same', activation: 'relu' }),
        layer('MaxPooling2D', 'p', { pool_size: 2, data_format: 'channels_first' }),
      ]),
      [
        { name: 'c/kernel', shape: [K, K, I, O], data: hwio },
        { name: 'c/bias', shape: [O], data: bias },
      ],
    );
    const x = { shape: [2, I, 6, 5], data: values([2, I, 6, 5], 82) };
    assert.deepEqual(k1.graph.values[k1.graph.outputs[0]]?.shape, [-1, O, 3, 2]);
    close(run(k1, x)[0], run(k2, x)[0]);
  });

  it('GRU reset_after=True takes a [2, 3U] bias', async () => {
    const m = await imp(sequential([layer('GRU', 'g', { batch_input_shape: [null, 5, 3], units: 4, reset_after: true })]), [
      { name: 'g/gru_cell/kernel', shape: [3, 12] },
      { name: 'g/gru_cell/recurrent_kernel', shape: [4, 12] },
      { name: 'g/gru_cell/bias', shape: [2, 12] },
    ]);
    assert.equal(m.graph.nodes[0].op, 'gru');
    assert.deepEqual(m.graph.values[m.graph.outputs[0]]?.shape, [-1, 4]);
    assert.equal(m.layers[0].params, 36 + 48 + 24);
  });

  it('nested Functional inside Sequential, Keras 3 style, is inlined with node names under the nested model', async () => {
    const inner = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      registered_name: 'Functional',
      name: 'inner',
      config: {
        name: 'inner',
        layers: [
          { class_name: 'InputLayer', name: 'ii', config: { batch_shape: [null, 4], name: 'ii' }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'dd', config: { name: 'dd', units: 2 }, inbound_nodes: [{ args: [kt('ii')], kwargs: {} }] },
        ],
        input_layers: [['ii', 0, 0]],
        output_layers: [['dd', 0, 0]],
      },
    };
    const outer = { class_name: 'Sequential', config: { name: 'outer', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'x' } }, inner, layer('Activation', 'act', { activation: 'tanh' })] } };
    const m = await imp(outer, [
      { name: 'dd/kernel', shape: [4, 2] },
      { name: 'dd/bias', shape: [2] },
    ]);
    assert.deepEqual(
      m.layers.map((l) => [l.name, l.className, l.params]),
      [
        ['inner', 'Functional', 10],
        ['act', 'Activation', 0],
      ],
    );
    assert.ok(m.graph.nodes.some((n) => n.name === 'inner/dd'));
  });

  it('a Sequential whose first layer is a nested Sequential takes its input shape from it', async () => {
    const inner = { class_name: 'Sequential', config: { name: 'base', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], name: 'base_in' } }, layer('Dense', 'a', { units: 3 })] } };
    const m = await imp({ class_name: 'Sequential', config: { name: 'top', layers: [inner, layer('Dense', 'b', { units: 2 })] } }, [
      { name: 'a/kernel', shape: [4, 3] },
      { name: 'a/bias', shape: [3] },
      { name: 'b/kernel', shape: [3, 2] },
      { name: 'b/bias', shape: [2] },
    ]);
    assert.deepEqual(m.graph.values[m.graph.inputs[0]]?.shape, [-1, 4]);
    assert.deepEqual(
      m.layers.map((l) => [l.name, l.params]),
      [
        ['base', 15],
        ['b', 8],
      ],
    );
  });

  it('Embedding, RepeatVector, Permute, Cropping1D, UpSampling1D, GlobalAveragePooling1D shapes', async () => {
    const m = await imp(
      sequential([
        layer('Embedding', 'e', { batch_input_shape: [null, 6], input_dim: 10, output_dim: 3 }),
        layer('Cropping1D', 'c', { cropping: [1, 2] }),
        layer('UpSampling1D', 'u', { size: 2 }),
        layer('Permute', 'p', { dims: [2, 1] }),
        layer('GlobalAveragePooling1D', 'g', { data_format: 'channels_last' }),
        layer('RepeatVector', 'r', { n: 4 }),
      ]),
      [{ name: 'e/embeddings', shape: [10, 3] }],
    );
    assert.deepEqual(
      m.layers.map((l) => l.outputShapes[0]),
      [
        [-1, 6, 3],
        [-1, 3, 3],
        [-1, 6, 3],
        [-1, 3, 6],
        [-1, 6],
        [-1, 4, 6],
      ],
    );
  });
});
