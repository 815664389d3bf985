// Conformance of the wasm SIMD kernels, both builds (SIMD mul+add and relaxed-SIMD FMA): the shared cases and
// tolerances of program-conformance.ts (with the relaxed build's FMA a few ulp off the mul+add one, inside those
// bounds), plus wasm-only cases (the direct path's 2x16 tile, unpadded max pool), weight packing, the base64
// decoder and the loader.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWasmKernels, relaxedSimdSupported, packPanels, packedSize, WasmProgram, type WasmVariant } from '../../src/kernels/wasm/index.js';
import { tensor } from '../../src/core/tensor.js';
import { applyActivation } from '../../src/ops/activation-fns.js';
import { opDef } from '../../src/ops/registry.js';
import { decodeBase64 } from '../../src/kernels/wasm/base64.js';
import { programConformance } from './program-conformance.js';

const VARIANTS: WasmVariant[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];

programConformance({
  name: 'wasm',
  variants: VARIANTS,
  load: (variant) => loadWasmKernels({ variant }),
  extraConvCases: [
    // The direct path's 2x16 tile (K <= 64, cout % 16 == 0): strides, dilation, odd pixel count, slow activation.
    { x: [2, 7, 6, 3], k: [3, 3], oc: 16, s: [2, 1], d: [1, 2], p: [1, 1, 2, 0], act: { fn: 'tanh' } },
    { x: [1, 4, 6, 4], k: [2, 2], oc: 32, act: { fn: 'sigmoid' } },
    { x: [1, 9, 9, 7], k: [3, 3], oc: 48, p: [1, 1, 1, 1], act: { fn: 'relu' } }, // K = 63
    // Its three epilogues (one copy per fast activation) on odd output widths.
    { x: [1, 5, 7, 2], k: [3, 3], oc: 16, p: [1, 1, 1, 1], act: { fn: 'relu6' } },
    { x: [2, 3, 6, 1], k: [2, 2], oc: 32 },
  ],
  extraPoolCases: [
    { x: [2, 7, 6, 8], k: [3, 3], s: [2, 1], p: [0, 0, 0, 0] }, // windows inside, not 2x2: the unpadded max path
    { x: [3, 5, 5, 4], k: [2, 2], s: [1, 1], p: [0, 0, 0, 0] },
  ],
});

test('packPanels layout: 8-wide panels, then a 4-wide tail', () => {
  const K = 2, N = 13; // 8 + 8 (5 used)
  const w = Float32Array.from({ length: K * N }, (_, i) => i + 1);
  const p = packPanels(w, K, N);
  assert.equal(p.length, K * 16);
  assert.deepEqual([...p.subarray(0, 8)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...p.subarray(8, 16)], [14, 15, 16, 17, 18, 19, 20, 21]);
  assert.deepEqual([...p.subarray(16, 24)], [9, 10, 11, 12, 13, 0, 0, 0]);
  const q = packPanels(Float32Array.from({ length: 2 * 10 }, (_, i) => i), 2, 10); // 8 + 4
  assert.equal(packedSize(2, 10), 2 * 12);
  assert.equal(q.length, 32); // padded to CONST_PAD floats, the rest zero
  assert.deepEqual([...q.subarray(16, 32)], [8, 9, 0, 0, 18, 19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('packPanels equals the panel-by-panel layout on many shapes, also packed into a given array', () => {
  for (const [K, N] of [[200, 21], [64, 8], [65, 4], [130, 1027]] as const) {
    const w = Float32Array.from({ length: K * N }, (_, i) => i + 1);
    const want: number[] = [];
    for (let col = 0; col < N; ) {
      const width = N - col > 4 ? 8 : 4;
      for (let k = 0; k < K; k++) for (let j = 0; j < width; j++) want.push(col + j < N ? w[k * N + col + j] : 0);
      col += width;
    }
    assert.deepEqual([...packPanels(w, K, N).subarray(0, want.length)], want, `[${K}, ${N}]`);
    const into = new Float32Array(7 + packedSize(K, N)).fill(-1);
    packPanels(w, K, N, into, 7);
    assert.deepEqual([...into.subarray(7)], want, `[${K}, ${N}] at 7`);
    assert.deepEqual([...into.subarray(0, 7)], Array(7).fill(-1));
  }
});

test('base64 decoder round-trips every byte value', () => {
  const bytes = Uint8Array.from({ length: 256 * 3 + 2 }, (_, i) => (i * 7) & 255);
  const b64 = Buffer.from(bytes).toString('base64');
  assert.deepEqual(decodeBase64(b64), bytes);
  assert.deepEqual(decodeBase64(Buffer.from(bytes.subarray(0, 4)).toString('base64')), bytes.subarray(0, 4));
});

test('loader: auto picks relaxed when the engine supports it; both builds identify themselves', () => {
  const auto = loadWasmKernels();
  assert.equal(auto.variant, relaxedSimdSupported() ? 'relaxed' : 'simd');
  assert.equal(loadWasmKernels({ variant: 'simd' }).exports.isRelaxed(), 0);
  if (relaxedSimdSupported()) assert.equal(loadWasmKernels({ variant: 'relaxed' }).exports.isRelaxed(), 1);
});

test('max pool with an activation (applied after the windows, in its own pass): 2x2 and 3x3 windows, both builds', () => {
  for (const variant of VARIANTS) {
    for (const [k, activation] of [[2, { fn: 'sigmoid' }], [3, { fn: 'relu6' }]] as const) {
      const shape: [number, number, number, number] = [2, 6, 6, 8];
      const n = shape.reduce((a, b) => a * b);
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 8);
      const oh = Math.floor((6 - k) / k) + 1;
      const attrs = { type: 'max', kernel: [k, k], strides: [k, k], pads: [0, 0, 0, 0] } as const;
      const want = opDef('pool2d').reference([tensor(shape, x)], attrs)[0].data;
      applyActivation(activation, want);
      const prog = new WasmProgram(loadWasmKernels({ variant }), { arenaFloats: n + want.length });
      prog.pool2d({ ...attrs, x: 0, xShape: shape, y: n, activation });
      prog.finish();
      prog.arena.set(x, 0);
      prog.run();
      const got = prog.arena.subarray(n, n + 2 * oh * oh * 8);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-6, `${variant} k${k} [${i}] ${got[i]} vs ${want[i]}`);
    }
  }
});
