// Conformance of the native back end's kernel sets (native/: portable C++, AVX2+FMA, AVX-512F; every set this
// CPU supports) against the op references in src/ops, through the same WasmProgram encoder the wasm back end
// uses: the cases and tolerances of test/kernels/wasm.test.ts (copied: importing that file would run its tests
// again), plus native-only checks (GEMM edge tiles, batch threads, program validation, format constants).
// Skipped, with the reason printed, only when the addon is not built (CI builds it: npm ci -> npm run build).
//
// Tolerances (u = 2^-24, float32 unit roundoff), as in wasm.test.ts:
//  - dense / conv / depthwise: |got - ref| <= (K + 4) * u * S + 8 u |ref| + 1e-30, S = sum |x_k w_k| + |b|.
//  - activations: |got - ref| <= 8 u |ref| + 16 u.  softmax: 16 u |ref| + 1e-7.
//  - pool max and binary add/sub/mul/div/max/min: exact. avg pool: 4 u |ref| * window. pow: 2 ulp.
//  - NaN and +-Inf must appear in exactly the same places.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { activationScalar, type Activation, type ActivationName } from '../../src/ops/activation-fns.js';
import type { BinaryFn } from '../../src/ops/binary.js';
import { opDef } from '../../src/ops/registry.js';
import { WasmProgram, windowOutputShape, type BinaryMode } from '../../src/kernels/wasm/index.js';
import * as E from '../../src/kernels/wasm/step-encoding.js';
import { loadNativeKernels, nativeAddon, nativeIsas, nativeUnavailableReason, nativeThreads, setNativeThreads, type NativeIsa } from '../../src/kernels/native/loader.js';
import { rng } from '../helpers/rand.js';

const U = 2 ** -24;
const VARIANTS: NativeIsa[] = nativeIsas();
const SKIP = VARIANTS.length === 0 ? `native addon unavailable: ${nativeUnavailableReason()}` : false;
if (SKIP) console.log(`# native kernel tests skipped: ${SKIP}`);
test('native addon is built and loads', { skip: SKIP }, () => assert.ok(VARIANTS.length > 0));

function randData(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * r();
  return d;
}

const abs = (d: Float32Array) => d.map(Math.abs);

/** Checks got vs ref element-wise with tol(i); NaN and +-Inf must match exactly. */
function expectClose(got: Float32Array, ref: Float32Array, tol: (i: number) => number, what: string): void {
  assert.equal(got.length, ref.length, `${what}: length`);
  for (let i = 0; i < ref.length; i++) {
    const g = got[i];
    const r = ref[i];
    if (Number.isNaN(r) || Number.isNaN(g)) {
      assert.ok(Number.isNaN(r) && Number.isNaN(g), `${what}[${i}]: got ${g}, expected ${r}`);
      continue;
    }
    if (!Number.isFinite(r) || !Number.isFinite(g)) {
      assert.equal(g, r, `${what}[${i}]: got ${g}, expected ${r}`);
      continue;
    }
    const t = tol(i);
    assert.ok(Math.abs(g - r) <= t, `${what}[${i}]: got ${g}, expected ${r}, |diff| ${Math.abs(g - r)} > ${t}`);
  }
}

/** Slope bound and own error of each activation (see header). */
function actTol(a: Activation | undefined, sumTol: number, ref: number): number {
  const slope = a && (a.fn === 'selu' || a.fn === 'elu' || a.fn === 'exponential' || a.fn === 'gelu' || a.fn === 'mish') ? 2 : 1.2;
  return slope * sumTol + 8 * U * Math.abs(ref) + 16 * U;
}

/** One program with the given arena, built by `build`, run once; returns the arena. */
function runProgram(variant: NativeIsa, arenaFloats: number, init: Float32Array | undefined, build: (p: WasmProgram) => void): Float32Array {
  const k = loadNativeKernels({ isa: variant });
  const prog = new WasmProgram(k, { arenaFloats });
  build(prog);
  prog.finish();
  prog.arena.fill(NaN);
  if (init) prog.arena.set(init, 0);
  prog.run();
  return prog.arena.slice();
}

// ---------------------------------------------------------------------------------------------------------------

const ACTS: Activation[] = [
  { fn: 'linear' }, { fn: 'relu' }, { fn: 'relu6' }, { fn: 'clip', alpha: -0.5, beta: 0.25 }, { fn: 'leaky_relu', alpha: 0.1 },
  { fn: 'elu', alpha: 0.7 }, { fn: 'selu' }, { fn: 'sigmoid' }, { fn: 'tanh' }, { fn: 'hard_sigmoid' },
  { fn: 'hard_sigmoid', alpha: 0.2, beta: 0.5 }, { fn: 'swish' }, { fn: 'hard_swish' }, { fn: 'softsign' },
  { fn: 'exponential' }, { fn: 'thresholded_relu', alpha: 0.3 }, { fn: 'gelu_tanh' }, { fn: 'softplus' }, { fn: 'gelu' }, { fn: 'mish' },
];

test('every activation name has an encoding', () => {
  const names: ActivationName[] = ['linear', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'tanh', 'softplus', 'softsign', 'elu', 'selu',
    'gelu', 'gelu_tanh', 'swish', 'exponential', 'leaky_relu', 'mish', 'thresholded_relu', 'hard_swish', 'clip'];
  for (const n of names) assert.ok(ACTS.some((a) => a.fn === n), n);
});

function activationInputs(): Float32Array {
  const special = [0, -0, 1e-8, -1e-8, 1e-3, -1e-3, 0.3, -0.3, 0.49, -0.49, 0.5, -0.5, 0.62, 0.63, -0.63, 1, -1, 3, -3, 6, 7, -7,
    20, -20, 40, -40, 87, 88.5, 89, -87, -100, -104, -110, 1e30, -1e30, 3e38, -3e38, NaN, Infinity, -Infinity];
  const r = randData(301, 7, -12, 12);
  return Float32Array.from([...special, ...r]);
}

describe('native activation step', () => {
  for (const variant of VARIANTS) {
    for (const a of ACTS) {
      test(`${variant} ${a.fn}${a.alpha !== undefined ? `(${a.alpha})` : ''}`, () => {
        const x = activationInputs();
        const n = x.length; // 341: vector body + a 1-lane tail
        const out = runProgram(variant, 2 * n, x, (p) => p.activation({ x: 0, y: n, n, activation: a }));
        const f = activationScalar(a);
        const ref = Float32Array.from(x, (v) => f(v));
        expectClose(out.subarray(n, 2 * n), ref, (i) => 8 * U * Math.abs(ref[i]) + 16 * U, `${a.fn}`);
        // In place, and short lengths (tails only).
        for (const len of [1, 2, 3, 4, 5]) {
          const o2 = runProgram(variant, len, x.subarray(0, len), (p) => p.activation({ x: 0, y: 0, n: len, activation: a }));
          expectClose(o2, ref.subarray(0, len), (i) => 8 * U * Math.abs(ref[i]) + 16 * U, `${a.fn} n=${len}`);
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------

const DENSE_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 784, 10], [3, 5, 7], [4, 4, 4], [5, 17, 9], [7, 15, 13], [2, 300, 3], [9, 513, 12], [8, 257, 16],
  [1, 3, 5], [13, 31, 33], [4, 255, 4], [6, 64, 1], [2, 0, 5], [1, 1568, 20], [5, 300, 9], [6, 520, 3], [7, 600, 21],
];

describe('native dense', () => {
  for (const variant of VARIANTS) {
    DENSE_SHAPES.forEach(([rows, K, N], si) => {
      test(`${variant} ${rows}x${K} . ${K}x${N}`, () => {
        const acts: (Activation | undefined)[] = [undefined, { fn: 'relu' }, { fn: 'relu6' }, { fn: 'sigmoid' }, { fn: 'elu', alpha: 0.5 }, { fn: 'gelu' }];
        acts.forEach((act, ai) => {
          const seed = 100 * si + ai;
          const x = tensor([rows, K], randData(rows * K, seed, -2, 2));
          const w = tensor([K, N], randData(K * N, seed + 1));
          const withBias = ai % 2 === 0;
          const b = withBias ? tensor([N], randData(N, seed + 2)) : undefined;
          const inputs = b ? [x, w, b] : [x, w];
          const ref = opDef('dense').reference(inputs, { activation: act ?? { fn: 'linear' } })[0].data;
          const absInputs = [x, w, ...(b ? [b] : [])].map((t) => tensor(t.shape, abs(t.data)));
          const S = opDef('dense').reference(absInputs, { activation: { fn: 'linear' } })[0].data;
          const out = runProgram(variant, rows * K + rows * N, x.data, (p) => {
            const pw = p.packDenseWeights(w.data, K, N);
            p.dense({ x: 0, w: pw, bias: b ? p.constant(b.data) : undefined, y: rows * K, rows, activation: act });
          });
          expectClose(out.subarray(rows * K), ref, (i) => actTol(act, (K + 4) * U * S[i] + 8 * U * Math.abs(S[i]), ref[i]), `dense ${act?.fn ?? 'linear'}`);
        });
      });
    });

    test(`${variant} dense NaN / Inf propagation`, () => {
      const rows = 5, K = 37, N = 11;
      const x = tensor([rows, K], randData(rows * K, 11));
      x.data[3] = NaN; // row 0: all NaN
      x.data[K + 4] = Infinity; // row 1: +-Inf by weight sign
      x.data[2 * K + 1] = Infinity; x.data[2 * K + 2] = -Infinity; // row 2: mixed -> NaN where the weights share a sign
      const w = tensor([K, N], randData(K * N, 12));
      w.data[4 * N + 3] = 0; // Inf * 0 = NaN in row 1, column 3
      const ref = opDef('dense').reference([x, w], { activation: { fn: 'relu' } })[0].data;
      const out = runProgram(variant, rows * K + rows * N, x.data, (p) => {
        p.dense({ x: 0, w: p.packDenseWeights(w.data, K, N), y: rows * K, rows, activation: { fn: 'relu' } });
      });
      const got = out.subarray(rows * K);
      expectClose(got, ref, () => 1e-4, 'dense NaN/Inf');
      assert.ok(Number.isNaN(got[0]) && Number.isNaN(got[N + 3]));
    });

    test(`${variant} dense reads a constant input`, () => {
      const x = randData(2 * 9, 5);
      const w = randData(9 * 6, 6);
      const ref = opDef('dense').reference([tensor([2, 9], x), tensor([9, 6], w)], { activation: { fn: 'linear' } })[0].data;
      const out = runProgram(variant, 12, undefined, (p) => p.dense({ x: p.constant(x), w: p.packDenseWeights(w, 9, 6), y: 0, rows: 2 }));
      expectClose(out, ref, () => 1e-5, 'dense const x');
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  oc: number;
  s?: [number, number];
  d?: [number, number];
  p?: [number, number, number, number];
  act?: Activation;
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], k: [3, 3], oc: 1, p: [1, 1, 1, 1] },
  { x: [1, 28, 28, 1], k: [3, 3], oc: 32, p: [1, 1, 1, 1], act: { fn: 'relu' } },
  { x: [1, 14, 14, 32], k: [3, 3], oc: 32, act: { fn: 'relu' } },
  { x: [1, 9, 9, 8], k: [5, 5], oc: 12, p: [2, 2, 2, 2], act: { fn: 'relu6' } },
  { x: [2, 7, 6, 3], k: [3, 2], oc: 5, s: [2, 1], d: [1, 2], p: [1, 0, 2, 1] },
  { x: [3, 6, 5, 5], k: [2, 3], oc: 13, s: [2, 2], p: [0, 1, 1, 1], act: { fn: 'tanh' } },
  { x: [1, 4, 4, 7], k: [1, 1], oc: 9 }, // pointwise: im2col reads x directly
  { x: [2, 5, 5, 4], k: [1, 1], oc: 3, s: [2, 2] },
  { x: [1, 3, 3, 15], k: [3, 3], oc: 17, p: [1, 1, 1, 1], act: { fn: 'leaky_relu', alpha: 0.3 } },
  { x: [1, 1, 1, 1], k: [1, 1], oc: 1 },
  { x: [1, 6, 6, 2], k: [3, 3], oc: 4, d: [2, 2], p: [2, 2, 2, 2], act: { fn: 'swish' } },
  { x: [1, 12, 1, 9], k: [3, 1], oc: 6, p: [1, 1, 0, 0] }, // Conv1D seen as H x 1
];

describe('native conv2d', () => {
  for (const variant of VARIANTS) {
    for (const method of ['im2col', 'direct'] as const) {
      CONV_CASES.forEach((c, ci) => {
        test(`${variant} ${method} x[${c.x}] k${c.k.join('x')} oc${c.oc} s${c.s ?? [1, 1]} d${c.d ?? [1, 1]} p${c.p ?? [0, 0, 0, 0]}`, () => {
          const [n, h, w, ic] = c.x;
          const [kh, kw] = c.k;
          const attrs = { strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1], pads: c.p ?? [0, 0, 0, 0], groups: 1, activation: c.act ?? { fn: 'linear' } } as const;
          const x = tensor(c.x, randData(n * h * w * ic, 1000 + ci, -2, 2));
          if (ci === 3) { x.data[5] = NaN; x.data[77] = Infinity; }
          const wt = tensor([kh, kw, ic, c.oc], randData(kh * kw * ic * c.oc, 2000 + ci));
          const b = tensor([c.oc], randData(c.oc, 3000 + ci));
          const ref = opDef('conv2d').reference([x, wt, b], attrs)[0];
          const S = opDef('conv2d').reference([x, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
          const [oh, ow] = windowOutputShape(c.x, kh, kw, attrs.strides, attrs.dilations, attrs.pads);
          assert.deepEqual(ref.shape, [n, oh, ow, c.oc]);
          const xs = x.data.length;
          const out = runProgram(variant, xs + ref.data.length, x.data, (p) => {
            const pw = p.packConv2dWeights(wt.data, kh, kw, ic, c.oc);
            // A small im2col block on some cases exercises several blocks and a ragged last block.
            p.conv2d({ ...attrs, x: 0, xShape: c.x, w: pw, kernelSize: c.k, bias: p.constant(b.data), y: xs, method, im2colRows: ci % 2 ? 5 : undefined });
          });
          const K = kh * kw * ic;
          expectClose(out.subarray(xs), ref.data, (i) => actTol(c.act, (K + 4) * U * S[i] + 8 * U * S[i], ref.data[i]), `conv2d ${method}`);
        });
      });
    }
  }
});

describe('native depthwise_conv2d', () => {
  const cases: (ConvCase & { m: number })[] = [
    { x: [1, 5, 5, 4], k: [3, 3], oc: 0, m: 1, p: [1, 1, 1, 1], act: { fn: 'relu6' } },
    { x: [2, 7, 6, 5], k: [3, 2], oc: 0, m: 1, s: [2, 1], d: [1, 2], p: [1, 0, 2, 1] },
    { x: [1, 6, 6, 3], k: [3, 3], oc: 0, m: 2, s: [2, 2], p: [1, 1, 1, 1], act: { fn: 'sigmoid' } },
    { x: [1, 4, 4, 9], k: [5, 5], oc: 0, m: 1, p: [2, 2, 2, 2] },
    { x: [1, 1, 1, 1], k: [1, 1], oc: 0, m: 3 },
  ];
  for (const variant of VARIANTS) {
    cases.forEach((c, ci) => {
      test(`${variant} x[${c.x}] k${c.k.join('x')} m${c.m}`, () => {
        const [n, h, w, ic] = c.x;
        const [kh, kw] = c.k;
        const attrs = { strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1], pads: c.p ?? [0, 0, 0, 0], activation: c.act ?? { fn: 'linear' } } as const;
        const x = tensor(c.x, randData(n * h * w * ic, 4000 + ci, -2, 2));
        x.data[1] = NaN;
        const wt = tensor([kh, kw, ic, c.m], randData(kh * kw * ic * c.m, 5000 + ci));
        const b = tensor([ic * c.m], randData(ic * c.m, 6000 + ci));
        const ref = opDef('depthwise_conv2d').reference([x, wt, b], attrs)[0];
        const S = opDef('depthwise_conv2d').reference([x, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
        const xs = x.data.length;
        const out = runProgram(variant, xs + ref.data.length, x.data, (p) => {
          p.depthwiseConv2d({ ...attrs, x: 0, xShape: c.x, w: p.depthwiseWeights(wt.data, kh, kw, ic, c.m), bias: p.constant(b.data), y: xs });
        });
        expectClose(out.subarray(xs), ref.data, (i) => actTol(c.act, (kh * kw + 4) * U * S[i] + 8 * U * S[i], ref.data[i]), 'depthwise');
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------

describe('native pool2d', () => {
  const cases: { x: [number, number, number, number]; k: [number, number]; s: [number, number]; p: [number, number, number, number] }[] = [
    { x: [1, 28, 28, 32], k: [2, 2], s: [2, 2], p: [0, 0, 0, 0] },
    { x: [1, 5, 5, 1], k: [3, 3], s: [1, 1], p: [1, 1, 1, 1] },
    { x: [2, 7, 6, 3], k: [3, 2], s: [2, 1], p: [1, 1, 0, 1] },
    { x: [1, 4, 4, 9], k: [2, 2], s: [2, 2], p: [0, 1, 0, 1] },
    { x: [1, 3, 3, 4], k: [3, 3], s: [3, 3], p: [2, 0, 0, 2] },
  ];
  for (const variant of VARIANTS) {
    for (const type of ['max', 'avg'] as const) {
      cases.forEach((c, ci) => {
        test(`${variant} ${type} x[${c.x}] k${c.k} s${c.s} p${c.p}`, () => {
          const [n, h, w, ch] = c.x;
          const x = tensor(c.x, randData(n * h * w * ch, 7000 + ci, -3, 3));
          x.data[0] = NaN;
          x.data[x.data.length - 1] = Infinity;
          x.data[7] = -Infinity;
          // The first window's real cells NaN in the last channel: a max of -Inf (NaN is skipped, as TensorFlow).
          for (let i = 0; i < c.k[0] - c.p[0]; i++) for (let j = 0; j < c.k[1] - c.p[2]; j++) x.data[(i * w + j) * ch + ch - 1] = NaN;
          const attrs = { type, kernel: c.k, strides: c.s, pads: c.p } as const;
          const ref = opDef('pool2d').reference([x], attrs)[0];
          const xs = x.data.length;
          const out = runProgram(variant, xs + ref.data.length, x.data, (p) => p.pool2d({ ...attrs, x: 0, xShape: c.x, y: xs }));
          const win = c.k[0] * c.k[1];
          expectClose(out.subarray(xs), ref.data, (i) => (type === 'max' ? 0 : 4 * win * U * 3), `${type}pool`);
        });
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------

describe('native softmax', () => {
  for (const variant of VARIANTS) {
    for (const [rows, n] of [[1, 1], [1, 10], [3, 3], [2, 4], [5, 5], [4, 17], [2, 1000]] as const) {
      test(`${variant} ${rows}x${n}`, () => {
        const x = tensor([rows, n], randData(rows * n, 8000 + n, -20, 20));
        const ref = opDef('softmax').reference([x], { axis: -1 })[0].data;
        const out = runProgram(variant, rows * n, x.data, (p) => p.softmax({ x: 0, y: 0, rows, n }));
        expectClose(out, ref, (i) => 16 * U * ref[i] + 1e-7 / n, 'softmax');
      });
    }
    test(`${variant} softmax NaN / Inf rows`, () => {
      const n = 6;
      const rows = [
        [1, 2, NaN, 3, 4, 5],
        [1, Infinity, 2, 3, 4, 5],
        [-Infinity, 0, 1, -Infinity, 2, 3],
        [1000, 999, -1000, 0, 88, 89],
        [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      ];
      const x = tensor([rows.length, n], rows.flat());
      const ref = opDef('softmax').reference([x], { axis: 1 })[0].data;
      const out = runProgram(variant, x.data.length, x.data, (p) => p.softmax({ x: 0, y: 0, rows: rows.length, n }));
      expectClose(out, ref, (i) => 16 * U * ref[i] + 1e-7, 'softmax special');
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------

describe('native binary', () => {
  const fns: BinaryFn[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
  const modes: [BinaryMode, BinaryMode][] = [['full', 'full'], ['full', 'row'], ['full', 'scalar'], ['row', 'full'], ['scalar', 'full']];
  const shapeOf = (m: BinaryMode, rows: number, cols: number) => (m === 'full' ? [rows, cols] : m === 'row' ? [cols] : [1]);
  for (const variant of VARIANTS) {
    for (const fn of fns) {
      test(`${variant} ${fn}`, () => {
        for (const [rows, cols] of [[1, 1], [3, 5], [2, 8], [4, 13]] as const) {
          modes.forEach(([am, bm], mi) => {
            const sa = shapeOf(am, rows, cols);
            const sb = shapeOf(bm, rows, cols);
            const lo = fn === 'pow' ? -2 : -3;
            const a = tensor(sa, randData(sa.reduce((p, q) => p * q, 1), 9000 + mi * 7 + cols, lo, 3));
            const b = tensor(sb, randData(sb.reduce((p, q) => p * q, 1), 9500 + mi * 7 + cols, lo, 3));
            if (fn === 'pow') {
              // Integer exponents for negative bases, and the IEEE special cases pow(1, NaN) = 1, pow(-1, Inf) = 1.
              for (let i = 0; i < b.data.length; i++) if (i % 2) b.data[i] = Math.round(b.data[i]);
              if (a.data.length > 2 && b.data.length > 2) { a.data[1] = 1; b.data[1] = NaN; a.data[2] = -1; b.data[2] = Infinity; }
            }
            if (a.data.length > 3) { a.data[0] = NaN; a.data[3] = Infinity; }
            if (b.data.length > 4) b.data[4] = -Infinity;
            const ref = opDef('binary').reference([a, b], { fn })[0].data;
            const na = a.data.length;
            const nb = b.data.length;
            const out = runProgram(variant, na + nb + rows * cols, Float32Array.from([...a.data, ...b.data]), (p) => {
              p.binary({ fn, a: 0, b: na, y: na + nb, rows, cols, aMode: am, bMode: bm });
            });
            expectClose(out.subarray(na + nb), ref, (i) => (fn === 'pow' ? 2 * U * Math.abs(ref[i]) : 0), `${fn} ${rows}x${cols} ${am}/${bm}`);
          });
        }
      });
    }
    test(`${variant} binary with a constant operand and a fused activation`, () => {
      const a = randData(12, 1);
      const bias = randData(4, 2);
      const ref = opDef('binary').reference([tensor([3, 4], a), tensor([4], bias)], { fn: 'add' })[0].data.map((v) => Math.max(0, v));
      const out = runProgram(variant, 24, a, (p) => p.binary({ fn: 'add', a: 0, b: p.constant(bias), bMode: 'row', y: 12, rows: 3, cols: 4, activation: { fn: 'relu' } }));
      expectClose(out.subarray(12), ref, () => 0, 'add+relu');
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------

describe('native programs', () => {
  for (const variant of VARIANTS) {
    test(`${variant} copy`, () => {
      for (const n of [0, 1, 3, 4, 5, 33]) {
        const x = randData(n, n);
        const out = runProgram(variant, 2 * n + 1, x, (p) => p.copy({ x: 0, y: n, n }));
        assert.deepEqual([...out.subarray(n, 2 * n)], [...x]);
      }
    });

    test(`${variant} a CNN-shaped program runs repeatedly and matches the chained references`, () => {
      // conv 3x3x8 same + relu -> maxpool 2 -> dense 200->10 -> softmax, on a 10x10x1 input.
      const x = tensor([1, 10, 10, 1], randData(100, 1));
      const cw = tensor([3, 3, 1, 8], randData(72, 2));
      const cb = tensor([8], randData(8, 3));
      const dw = tensor([200, 10], randData(2000, 4));
      const db = tensor([10], randData(10, 5));
      const conv = opDef('conv2d').reference([x, cw, cb], { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { fn: 'relu' } })[0];
      const pool = opDef('pool2d').reference([conv], { type: 'max', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] })[0];
      const dense = opDef('dense').reference([tensor([1, 200], pool.data), dw, db], { activation: { fn: 'linear' } })[0];
      const ref = opDef('softmax').reference([dense], { axis: -1 })[0].data;

      const k = loadNativeKernels({ isa: variant });
      const prog = new WasmProgram(k, { arenaFloats: 100 + 800 + 200 + 10 });
      const pw = prog.packConv2dWeights(cw.data, 3, 3, 1, 8);
      prog.conv2d({ x: 0, xShape: [1, 10, 10, 1], w: pw, kernelSize: [3, 3], bias: prog.constant(cb.data), y: 100, pads: [1, 1, 1, 1], activation: { fn: 'relu' } });
      prog.pool2d({ type: 'max', x: 100, xShape: [1, 10, 10, 8], y: 900, kernel: [2, 2], strides: [2, 2] });
      prog.dense({ x: 900, w: prog.packDenseWeights(dw.data, 200, 10), bias: prog.constant(db.data), y: 1100, rows: 1 });
      prog.softmax({ x: 1100, y: 1100, rows: 1, n: 10 });
      prog.finish();
      assert.equal(prog.describe().length, 4);
      for (let rep = 0; rep < 3; rep++) {
        prog.arena.set(x.data, 0);
        prog.run();
        expectClose(prog.arena.subarray(1100, 1110), ref, (i) => 1e-5 * ref[i] + 1e-7, 'cnn');
      }
      // A second program on the same instance grows memory; the first one's arena view is refreshed.
      const other = new WasmProgram(k, { arenaFloats: 1 << 20 });
      other.copy({ x: 0, y: 1, n: 1 });
      other.finish();
      prog.arena.set(x.data, 0);
      prog.run();
      expectClose(prog.arena.subarray(1100, 1110), ref, (i) => 1e-5 * ref[i] + 1e-7, 'cnn after grow');
    });

    test(`${variant} encoder rejects out-of-arena operands and foreign weights`, () => {
      const k = loadNativeKernels({ isa: variant });
      const prog = new WasmProgram(k, { arenaFloats: 16 });
      const w = prog.packDenseWeights(new Float32Array(8 * 4), 8, 4);
      assert.throws(() => prog.dense({ x: 10, w, y: 0, rows: 1 }), /outside the arena/);
      const other = new WasmProgram(k, { arenaFloats: 16 });
      assert.throws(() => other.dense({ x: 0, w, y: 8, rows: 1 }), /this program/);
      assert.throws(() => prog.conv2d({ x: 0, xShape: [1, 2, 2, 2], w, kernelSize: [1, 1], y: 8 }), /K = 8/);
    });
  }
});


// ---------------------------------------------------------------------------------------------------------------
// Native-only checks

test('the addon was compiled with the program format of step-encoding.ts', { skip: SKIP }, () => {
  const c = nativeAddon()!.constants();
  for (const [name, value] of Object.entries(E)) {
    if (typeof value === 'number') assert.equal(c[name], value, name);
  }
});

/** Dense through one program; returns [got, ref, S]. */
function denseCase(variant: NativeIsa, rows: number, K: number, N: number, act: Activation | undefined, seed: number) {
  const x = tensor([rows, K], randData(rows * K, seed, -2, 2));
  const w = tensor([K, N], randData(K * N, seed + 1));
  const b = tensor([N], randData(N, seed + 2));
  const ref = opDef('dense').reference([x, w, b], { activation: act ?? { fn: 'linear' } })[0].data;
  const S = opDef('dense').reference([x, w, b].map((t) => tensor(t.shape, abs(t.data))), { activation: { fn: 'linear' } })[0].data;
  const out = runProgram(variant, rows * K + rows * N, x.data, (p) => {
    p.dense({ x: 0, w: p.packDenseWeights(w.data, K, N), bias: p.constant(b.data), y: rows * K, rows, activation: act });
  });
  return { got: out.subarray(rows * K), ref, S };
}

describe('native GEMM edge tiles', () => {
  // Every column-chunk shape (N mod 16 in 0, 1..4, 5..8, 9..12, 13..15, and several groups), row tails of every
  // tile height (1..8 rows left over), K blocks (K > 256).
  const NS = [1, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 20, 21, 24, 28, 29, 31, 32, 33, 36, 40, 44, 47, 48, 64, 65, 76];
  const ROWS = [1, 2, 3, 5, 6, 7, 8, 9, 11, 13, 16, 17];
  for (const variant of VARIANTS) {
    test(`${variant} dense N x rows sweep`, () => {
      NS.forEach((N, ni) => {
        for (const rows of [ROWS[ni % ROWS.length], ROWS[(ni + 5) % ROWS.length]]) {
          const K = [3, 257, 40, 600][ni % 4];
          const act: Activation = ni % 3 === 0 ? { fn: 'relu6' } : ni % 3 === 1 ? { fn: 'tanh' } : { fn: 'linear' };
          const { got, ref, S } = denseCase(variant, rows, K, N, act, 31 * ni + rows);
          expectClose(got, ref, (i) => actTol(act, (K + 4) * U * S[i] + 8 * U * S[i], ref[i]), `dense ${rows}x${K}x${N} ${act.fn}`);
        }
      });
    });
    test(`${variant} conv2d direct / im2col over ragged channel counts`, () => {
      for (const [oc, x] of [[12, [1, 5, 6, 9]], [20, [2, 4, 5, 8]], [36, [1, 7, 3, 16]], [48, [1, 3, 11, 3]], [76, [1, 6, 6, 5]]] as [number, [number, number, number, number]][]) {
        for (const method of ['im2col', 'direct'] as const) {
          const [n, h, w, ic] = x;
          const attrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { fn: 'relu' } } as const;
          const xt = tensor(x, randData(n * h * w * ic, oc, -2, 2));
          const wt = tensor([3, 3, ic, oc], randData(9 * ic * oc, oc + 1));
          const b = tensor([oc], randData(oc, oc + 2));
          const ref = opDef('conv2d').reference([xt, wt, b], attrs)[0].data;
          const S = opDef('conv2d').reference([xt, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
          const xs = xt.data.length;
          const out = runProgram(variant, xs + ref.length, xt.data, (p) => {
            p.conv2d({ ...attrs, x: 0, xShape: x, w: p.packConv2dWeights(wt.data, 3, 3, ic, oc), kernelSize: [3, 3], bias: p.constant(b.data), y: xs, method });
          });
          expectClose(out.subarray(xs), ref, (i) => (9 * ic + 4) * U * S[i] + 8 * U * S[i], `conv ${method} oc${oc}`);
        }
      }
    });
  }
});

describe('native batch threads', () => {
  // Batch steps above the threading threshold, run with 1 and with 2 threads: rows are split between threads, each
  // row computed the same way, so results must be bitwise identical (and match the reference).
  const cases: { name: string; build: (p: WasmProgram, xs: number) => void; xShape: number[]; outSize: number; ref: (x: Float32Array) => { ref: Float32Array; tol: (i: number) => number } }[] = [];
  const convCase = (name: string, x: [number, number, number, number], k: number, oc: number, method: 'im2col' | 'direct') => {
    const [n, h, w, ic] = x;
    const pad = (k - 1) >> 1;
    const attrs = { strides: [1, 1], dilations: [1, 1], pads: [pad, k - 1 - pad, pad, k - 1 - pad], groups: 1, activation: { fn: 'relu' } } as const;
    const wt = tensor([k, k, ic, oc], randData(k * k * ic * oc, 77));
    const b = tensor([oc], randData(oc, 78));
    cases.push({
      name,
      xShape: x,
      outSize: n * h * w * oc,
      build: (p, xs) => p.conv2d({ ...attrs, x: 0, xShape: x, w: p.packConv2dWeights(wt.data, k, k, ic, oc), kernelSize: [k, k], bias: p.constant(b.data), y: xs, method }),
      ref: (xd) => {
        const xt = tensor(x, xd);
        const ref = opDef('conv2d').reference([xt, wt, b], attrs)[0].data;
        const S = opDef('conv2d').reference([xt, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
        return { ref, tol: (i) => (k * k * ic + 4) * U * S[i] + 8 * U * S[i] };
      },
    });
  };
  convCase('direct 8x14x14x32 k3 -> 32', [8, 14, 14, 32], 3, 32, 'direct');
  convCase('im2col 6x28x28x1 k5 -> 32 (several blocks)', [6, 28, 28, 1], 5, 32, 'im2col');
  convCase('im2col 3x20x20x9 k5 -> 13', [3, 20, 20, 9], 5, 13, 'im2col');
  {
    const rows = 64, K = 300, N = 70;
    const w = tensor([K, N], randData(K * N, 90));
    const b = tensor([N], randData(N, 91));
    cases.push({
      name: 'dense 64x300 . 300x70 + sigmoid',
      xShape: [rows, K],
      outSize: rows * N,
      build: (p, xs) => p.dense({ x: 0, w: p.packDenseWeights(w.data, K, N), bias: p.constant(b.data), y: xs, rows, activation: { fn: 'sigmoid' } }),
      ref: (xd) => {
        const x = tensor([rows, K], xd);
        const ref = opDef('dense').reference([x, w, b], { activation: { fn: 'sigmoid' } })[0].data;
        const S = opDef('dense').reference([x, w, b].map((t) => tensor(t.shape, abs(t.data))), { activation: { fn: 'linear' } })[0].data;
        return { ref, tol: (i) => actTol({ fn: 'sigmoid' }, (K + 4) * U * S[i] + 8 * U * S[i], ref[i]) };
      },
    });
  }
  for (const variant of VARIANTS) {
    for (const c of cases) {
      test(`${variant} ${c.name}: 1 thread == 2 threads == reference`, () => {
        const before = nativeThreads();
        try {
          const xs = c.xShape.reduce((a, b) => a * b, 1);
          const x = randData(xs, 5, -2, 2);
          setNativeThreads(1);
          const one = runProgram(variant, xs + c.outSize, x, (p) => c.build(p, xs)).subarray(xs);
          setNativeThreads(2);
          const two = runProgram(variant, xs + c.outSize, x, (p) => c.build(p, xs)).subarray(xs);
          assert.deepEqual(two, one);
          const { ref, tol } = c.ref(x);
          expectClose(two, ref, tol, c.name);
        } finally {
          setNativeThreads(before);
        }
      });
    }
  }
});

describe('native program safety', () => {
  for (const variant of VARIANTS) {
    test(`${variant} a step reaching outside the memory is refused before it runs; bad opcodes are reported`, () => {
      const make = () => {
        const k = loadNativeKernels({ isa: variant });
        const prog = new WasmProgram(k, { arenaFloats: 64 });
        prog.copy({ x: 0, y: 8, n: 8 });
        prog.activation({ x: 8, y: 16, n: 8, activation: { fn: 'relu' } });
        prog.finish();
        return { k, prog, words: new Int32Array(k.memory.buffer, prog.layout.program, 2 * E.STEP_WORDS) };
      };
      const a = make();
      a.words[E.STEP_WORDS + E.F_X] = a.k.memory.buffer.byteLength - 16; // 8 floats from 16 bytes before the end
      assert.throws(() => a.prog.run(), /step 1 reaches outside/);
      const b = make();
      b.words[E.STEP_WORDS + E.F_N] = -1;
      assert.throws(() => b.prog.run(), /step 1 reaches outside/);
      const c = make();
      c.words[E.STEP_WORDS + E.F_OP] = 99;
      assert.throws(() => c.prog.run(), /step 1 has a bad opcode/);
      const d = make();
      d.prog.arena.set(Float32Array.from({ length: 8 }, (_, i) => i - 4), 0);
      d.prog.run();
      assert.deepEqual([...d.prog.arena.subarray(16, 24)], [0, 0, 0, 0, 0, 1, 2, 3]);
    });
  }
});
