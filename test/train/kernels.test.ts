// The wasm training kernels against the JS ones (im2col + blocked GEMM in plain JS, themselves checked
// against the ops' references and TF.js through the gradient tests): every transpose combination, edge sizes
// (0, 1, 3, 4k +- 1, past the 64-row and 256-deep blocks), accumulation, and conv2d geometries; max pooling,
// NaN included, against the inference reference.
// Tolerance: |wasm - js| <= 1e-5 * (sum |a b| over the dot product + 1), float32 sums in different orders.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import { conv2dOutShape } from '../../src/ops/conv2d.js';
import { computePads } from '../../src/ops/padding.js';
import { pool2d } from '../../src/ops/pool2d.js';
import { gemmJs, jsKernels } from '../../src/train/kernels/js.js';
import type { ConvGeometry } from '../../src/train/kernels/types.js';
import { WasmTrainKernels } from '../../src/train/kernels/wasm.js';
import { randTensor, rng } from '../helpers/rand.js';

const VARIANTS = ['simd', 'relaxed'] as const;

function close(got: Float32Array, want: Float32Array, scale: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 * (scale[i] + 1))) assert.fail(`${what}: [${i}] wasm ${got[i]}, js ${want[i]}`);
  }
}

test('train kernels: wasm GEMM equals the JS GEMM for every transpose, edge sizes, accumulation', () => {
  const r = rng(5);
  const sizes = [0, 1, 3, 4, 5, 7, 8, 9, 15, 17, 63, 65, 130];
  for (const variant of VARIANTS) {
    const k = new WasmTrainKernels(variant);
    for (let t = 0; t < 60; t++) {
      const M = sizes[Math.floor(r() * sizes.length)];
      const N = sizes[Math.floor(r() * sizes.length)];
      const K = t % 7 === 0 ? 300 : sizes[Math.floor(r() * sizes.length)];
      const tA = r() < 0.5;
      const tB = r() < 0.5;
      const acc = r() < 0.3;
      const A = randTensor([M * K], 100 + t).data;
      const B = randTensor([K * N], 200 + t).data;
      const C0 = randTensor([M * N], 300 + t).data;
      const want = C0.slice();
      gemmJs(tA, tB, M, N, K, A, B, want, acc);
      const got = C0.slice();
      k.gemm(tA, tB, M, N, K, A, B, got, acc);
      const absA = A.map(Math.abs);
      const absB = B.map(Math.abs);
      const scale = new Float32Array(M * N);
      gemmJs(tA, tB, M, N, K, absA, absB, scale, false);
      close(got, want, scale, `${variant} gemm M${M} N${N} K${K} tA ${tA} tB ${tB} acc ${acc}`);
    }
  }
});

function geometry(x: number[], k: number[], s: [number, number], d: [number, number], pad: 'same' | 'valid'): ConvGeometry {
  const pads = [...computePads(pad, x[1], k[0], s[0], d[0]), ...computePads(pad, x[2], k[1], s[1], d[1])] as [number, number, number, number];
  const [, oh, ow] = conv2dOutShape(x, k, undefined, { strides: s, dilations: d, pads, groups: 1, activation: { fn: 'linear' } });
  return { n: x[0], h: x[1], w: x[2], c: x[3], kh: k[0], kw: k[1], co: k[3], oh, ow, strides: s, dilations: d, pads };
}

test('train kernels: wasm conv2d forward and backward equal the JS ones', () => {
  const cases: [number[], number[], [number, number], [number, number], 'same' | 'valid'][] = [
    [[3, 28, 28, 1], [3, 3, 1, 32], [1, 1], [1, 1], 'same'],
    [[2, 14, 14, 32], [3, 3, 32, 32], [1, 1], [1, 1], 'same'],
    [[2, 9, 7, 5], [5, 5, 5, 3], [2, 1], [1, 1], 'same'],
    [[1, 10, 10, 3], [3, 3, 3, 9], [1, 1], [2, 2], 'valid'],
    [[4, 6, 6, 6], [1, 1, 6, 10], [1, 1], [1, 1], 'valid'],
    [[1, 7, 7, 2], [2, 2, 2, 3], [3, 3], [1, 1], 'valid'],
  ];
  for (const variant of VARIANTS) {
    const k = new WasmTrainKernels(variant);
    cases.forEach(([xs, ks, s, d, pad], i) => {
      const g = geometry(xs, ks, s, d, pad);
      const x = randTensor(xs, 10 + i).data;
      const w = randTensor(ks, 20 + i).data;
      const b = randTensor([ks[3]], 30 + i).data;
      const ySize = g.n * g.oh * g.ow * g.co;
      const yJs = new Float32Array(ySize);
      const yW = new Float32Array(ySize);
      const relu = i % 2 === 0;
      jsKernels.conv2dForward(g, x, w, b, yJs, relu);
      k.conv2dForward(g, x, w, b, yW, relu);
      const taps = ks[0] * ks[1] * ks[2];
      close(yW, yJs, new Float32Array(ySize).fill(taps), `${variant} conv forward #${i}`);
      const dy = randTensor([ySize], 40 + i).data;
      const [dxJ, dwJ, dbJ] = [new Float32Array(x.length), new Float32Array(w.length), new Float32Array(ks[3])];
      const [dxW, dwW, dbW] = [new Float32Array(x.length).fill(7), new Float32Array(w.length).fill(7), new Float32Array(ks[3]).fill(7)];
      jsKernels.conv2dBackward(g, x, w, dy.slice(), dxJ, dwJ, dbJ, relu ? yJs : null);
      k.conv2dBackward(g, x, w, dy.slice(), dxW, dwW, dbW, relu ? yJs : null);
      close(dxW, dxJ, new Float32Array(x.length).fill(ks[0] * ks[1] * ks[3]), `${variant} conv dx #${i}`);
      close(dwW, dwJ, new Float32Array(w.length).fill(g.n * g.oh * g.ow), `${variant} conv dw #${i}`);
      close(dbW, dbJ, new Float32Array(ks[3]).fill(g.n * g.oh * g.ow), `${variant} conv db #${i}`);
      // Without dx and db.
      const dw2 = new Float32Array(w.length);
      k.conv2dBackward(g, x, w, dy.slice(), null, dw2, null, relu ? yJs : null);
      close(dw2, dwJ, new Float32Array(w.length).fill(g.n * g.oh * g.ow), `${variant} conv dw only #${i}`);
    });
  }
});

test('train kernels: wasm max pooling (values, argmax, scatter back) equals the JS one', () => {
  const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
    [[3, 28, 28, 32], [2, 2], [2, 2], 'valid'],
    [[2, 7, 7, 6], [3, 3], [2, 2], 'same'],
    [[1, 5, 6, 3], [2, 3], [1, 2], 'same'],
  ];
  for (const variant of VARIANTS) {
    const k = new WasmTrainKernels(variant);
    cases.forEach(([xs, ks, s, pad], i) => {
      const pads = [...computePads(pad, xs[1], ks[0], s[0]), ...computePads(pad, xs[2], ks[1], s[1])] as [number, number, number, number];
      const oh = Math.floor((xs[1] + pads[0] + pads[1] - ks[0]) / s[0]) + 1;
      const ow = Math.floor((xs[2] + pads[2] + pads[3] - ks[1]) / s[1]) + 1;
      const g = { n: xs[0], h: xs[1], w: xs[2], c: xs[3], kh: ks[0], kw: ks[1], oh, ow, strides: s, pads };
      const x = randTensor(xs, 50 + i).data;
      const size = g.n * oh * ow * g.c;
      const [yJ, yW] = [new Float32Array(size), new Float32Array(size)];
      const [aJ, aW] = [new Int32Array(size), new Int32Array(size)];
      jsKernels.maxPool2dForward(g, x, yJ, aJ);
      k.maxPool2dForward(g, x, yW, aW);
      assert.deepEqual(yW, yJ, `${variant} maxpool values #${i}`);
      assert.deepEqual(aW, aJ, `${variant} maxpool argmax #${i}`);
      const dy = randTensor([size], 60 + i).data;
      const [dxJ, dxW] = [new Float32Array(x.length), new Float32Array(x.length).fill(3)];
      jsKernels.maxPool2dBackward(dy, aJ, dxJ);
      k.maxPool2dBackward(dy, aW, dxW);
      assert.deepEqual(dxW, dxJ, `${variant} maxpool backward #${i}`);
    });
  }
});

test('train kernels: max pooling with NaN (js and wasm) gives inference\'s values, the gradient to the non-NaN max', () => {
  // Forward values must be those of the inference reference (src/ops/pool2d.ts: max over non-NaN values, -Inf
  // for a window of NaN only), so training and predict() agree; the argmax is the first cell holding that max
  // in row-major window order, or -1 (no cell gets the gradient, as TF.js) when all are NaN. About a third of the cells are NaN,
  // the first window of every image is NaN only, and C = 6 / 3 covers the wasm vector body and scalar tail.
  const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
    [[2, 6, 6, 6], [2, 2], [2, 2], 'valid'],
    [[2, 7, 7, 6], [3, 3], [2, 2], 'same'],
    [[1, 5, 6, 3], [2, 3], [1, 2], 'same'],
  ];
  const kernels = [['js', jsKernels] as const, ...VARIANTS.map((v) => [`wasm ${v}`, new WasmTrainKernels(v)] as const)];
  cases.forEach(([xs, ks, s, pad], i) => {
    const [N, H, W, C] = xs;
    const pads = [...computePads(pad, H, ks[0], s[0]), ...computePads(pad, W, ks[1], s[1])] as [number, number, number, number];
    const x = randTensor(xs, 70 + i).data;
    const r = rng(80 + i);
    for (let j = 0; j < x.length; j++) if (r() < 0.35) x[j] = NaN;
    // The real cells of each image's first window: rows [0, KH - pad top), columns [0, KW - pad left).
    for (let n = 0; n < N; n++) {
      for (let iy = 0; iy < ks[0] - pads[0]; iy++) for (let ix = 0; ix < ks[1] - pads[2]; ix++) for (let c = 0; c < C; c++) x[((n * H + iy) * W + ix) * C + c] = NaN;
    }
    const [want] = pool2d.reference([tensor(xs, x)], { type: 'max', kernel: ks, strides: s, pads });
    const [, OH, OW] = want.shape;
    const g = { n: N, h: H, w: W, c: C, kh: ks[0], kw: ks[1], oh: OH, ow: OW, strides: s, pads };
    let allNaN = 0;
    for (const [name, k] of kernels) {
      const y = new Float32Array(want.data.length);
      const argmax = new Int32Array(want.data.length);
      k.maxPool2dForward(g, x, y, argmax);
      assert.deepEqual(y, want.data, `${name} #${i}: values`);
      for (let n = 0; n < N; n++) {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let c = 0; c < C; c++) {
              const o = ((n * OH + oy) * OW + ox) * C + c;
              let expected = -1;
              for (let iy = Math.max(0, oy * s[0] - pads[0]); iy < Math.min(H, oy * s[0] - pads[0] + ks[0]); iy++) {
                for (let ix = Math.max(0, ox * s[1] - pads[2]); ix < Math.min(W, ox * s[1] - pads[2] + ks[1]); ix++) {
                  const p = ((n * H + iy) * W + ix) * C + c;
                  if (expected < 0 && x[p] === y[o]) expected = p;
                }
              }
              if (expected < 0) {
                assert.equal(y[o], -Infinity, `${name} #${i}: a window of NaN only gives -Inf`);
                allNaN++;
              }
              assert.equal(argmax[o], expected, `${name} #${i}: argmax of output ${o}`);
            }
          }
        }
      }
      const dy = new Float32Array(y.length).fill(1);
      const dx = new Float32Array(x.length).fill(5);
      k.maxPool2dBackward(dy, argmax, dx);
      // Each cell gets one per output whose argmax it is; NaN cells none.
      const counts = new Float32Array(x.length);
      for (const a of argmax) if (a >= 0) counts[a]++;
      assert.deepEqual(dx, counts, `${name} #${i}: backward`);
      for (let j = 0; j < x.length; j++) assert.ok(!Number.isNaN(x[j]) || dx[j] === 0, `${name} #${i}: gradient into NaN cell ${j}`);
    }
    assert.ok(allNaN > 0, `case #${i} has windows of NaN only`);
  });
});
