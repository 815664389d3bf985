// The Winograd conv cases shared by the engines that run WasmProgram programs (test/kernels/winograd.test.ts: both
// wasm builds; test/kernels/native-winograd.test.ts: every native kernel set this CPU supports), against the conv2d
// reference. Not a test file itself: each engine's test file calls winogradConformance() once.
//
// Tolerance. Winograd sums transformed values, so its rounding error is not covered by the dot-product bound
// of the direct paths, (K + 4) u S (S = sum |x w| + |b|, K = kh*kw*cin products), but by a multiple of it that
// grows with the transforms' coefficients (Lavin & Gray 2015; Barabasz et al. 2020, "Error analysis and
// improving the accuracy of Winograd convolution"). Stated here:
//   F(2x2, 3x3): |got - ref| <= 2 (K + 4) u S    F(2x2, 5x5): 4 (K + 4) u S    F(4x4, 3x3): 8 (K + 4) u S
// plus the activation's own error (as in program-conformance.ts). Measured on the founding shapes (14x14x32 -> 32 / 64,
// x in [0, 1), |w| < 0.2, both wasm builds): worst |err| / ((K + 4) u S) = 0.008 (F(2x2, 3x3)), 0.010-0.025
// (F(2x2, 5x5)), 0.03-0.09 (F(4x4, 3x3)), against 0.013 / 0.005 for the direct path (3x3 / 5x5); max abs
// error 9.5e-7 (F2) and 7.1e-6 (F4) vs 2.7e-6 direct (3x3); 1.4e-5 vs 7.6e-6 (5x5).
// NaN / Inf inputs spread further than in a direct conv (a non-finite input reaches every output of the tiles
// that read it), so NaN / Inf cases check only that a non-finite reference output is non-finite.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { opDef } from '../../src/ops/registry.js';
import { WasmProgram, windowOutputShape, type WasmKernels, type WinogradSize, type WinogradTile } from '../../src/kernels/wasm/index.js';
import { randData } from '../helpers/rand.js';
import { abs, U } from './program-conformance.js';

const FACTOR = (r: WinogradSize, m: WinogradTile): number => (m === 4 ? 8 : r === 3 ? 2 : 4);

export interface WinogradEngine<V extends string> {
  /** Prefix of the suite's name: "wasm", "native". */
  readonly name: string;
  /** The kernel builds to run every case on. */
  readonly variants: readonly V[];
  /** A fresh kernel instance of one build. */
  load(variant: V): WasmKernels;
  /** The output tiles this engine implements: F(2x2, .) always, F(4x4, 3x3) where listed. */
  readonly tiles: readonly WinogradTile[];
}

export interface Case {
  x: [number, number, number, number];
  r: WinogradSize;
  /** Output tile side (default 2). */
  m?: WinogradTile;
  oc: number;
  p: [number, number, number, number];
  act?: Activation;
  tiles?: number;
  nonFinite?: boolean;
}

export const CASES: Case[] = [
  { x: [1, 14, 14, 32], r: 3, oc: 32, p: [1, 1, 1, 1], act: { fn: 'relu' } }, // the expert's second conv
  { x: [1, 14, 14, 32], r: 5, oc: 64, p: [2, 2, 2, 2], act: { fn: 'relu' } }, // deep-mnist's second conv
  { x: [1, 1, 1, 1], r: 3, oc: 1, p: [1, 1, 1, 1] },
  { x: [1, 5, 7, 3], r: 3, oc: 5, p: [1, 1, 1, 1], tiles: 8 }, // odd sizes: cut edge tiles; cin % 4, cout < 8
  { x: [2, 9, 8, 13], r: 3, oc: 12, p: [0, 0, 0, 0], act: { fn: 'tanh' } }, // valid: odd output, 4-wide tail panel
  { x: [3, 6, 6, 8], r: 3, oc: 17, p: [2, 0, 1, 1], act: { fn: 'leaky_relu', alpha: 0.2 } }, // asymmetric pads
  { x: [1, 9, 9, 8], r: 5, oc: 12, p: [2, 2, 2, 2], act: { fn: 'relu6' } },
  { x: [2, 11, 10, 5], r: 5, oc: 9, p: [0, 0, 0, 0], tiles: 12 },
  { x: [1, 4, 4, 4], r: 5, oc: 4, p: [2, 2, 2, 2] }, // fewer pixels than one tile block
  { x: [1, 6, 6, 4], r: 3, oc: 8, p: [1, 1, 1, 1], nonFinite: true },
  { x: [1, 14, 14, 32], r: 3, m: 4, oc: 32, p: [1, 1, 1, 1], act: { fn: 'relu' } }, // the expert's second conv
  { x: [1, 1, 1, 1], r: 3, m: 4, oc: 1, p: [1, 1, 1, 1] },
  { x: [1, 5, 7, 3], r: 3, m: 4, oc: 5, p: [1, 1, 1, 1], tiles: 8 }, // edge tiles cut to 1 row / 3 columns
  { x: [2, 9, 8, 13], r: 3, m: 4, oc: 12, p: [0, 0, 0, 0], act: { fn: 'tanh' } }, // valid: 7x6 output
  { x: [3, 6, 6, 8], r: 3, m: 4, oc: 17, p: [2, 0, 1, 1], act: { fn: 'leaky_relu', alpha: 0.2 } },
  { x: [1, 10, 11, 9], r: 3, m: 4, oc: 10, p: [1, 1, 1, 1], tiles: 12 },
  { x: [2, 7, 9, 8], r: 3, m: 4, oc: 12, p: [1, 1, 1, 1], act: { fn: 'relu6' } }, // each fast activation's copy
  { x: [1, 6, 6, 4], r: 3, m: 4, oc: 8, p: [1, 1, 1, 1], nonFinite: true },
];

function runWinograd(kernels: WasmKernels, c: Case, x: Float32Array, w: Float32Array, b: Float32Array, outSize: number): Float32Array {
  const prog = new WasmProgram(kernels, { arenaFloats: x.length + outSize });
  const [, , , ic] = c.x;
  const pw = prog.packWinogradWeights(w, c.r, ic, c.oc, c.m ?? 2);
  prog.conv2d({ x: 0, xShape: c.x, w: pw, kernelSize: [c.r, c.r], bias: prog.constant(b), y: x.length, pads: c.p, activation: c.act, im2colRows: c.tiles });
  prog.finish();
  prog.arena.fill(NaN);
  prog.arena.set(x, 0);
  prog.run();
  assert.match(prog.describe()[0], /winograd/);
  return prog.arena.slice(x.length);
}

/** Defines the Winograd conv tests for one engine. */
export function winogradConformance<V extends string>(engine: WinogradEngine<V>): void {
  describe(`${engine.name} conv2d Winograd`, () => {
    for (const variant of engine.variants) {
      CASES.forEach((c, ci) => {
        if (!engine.tiles.includes(c.m ?? 2)) return;
        test(`${variant} F(${c.m ?? 2}x${c.m ?? 2},${c.r}x${c.r}) x[${c.x}] oc${c.oc} p${c.p}${c.act ? ` +${c.act.fn}` : ''}${c.tiles ? ` tiles ${c.tiles}` : ''}`, () => {
          const [n, h, w, ic] = c.x;
          const attrs = { strides: [1, 1], dilations: [1, 1], pads: c.p, groups: 1, activation: c.act ?? { fn: 'linear' } } as const;
          const x = tensor(c.x, randData(n * h * w * ic, 100 + ci, -2, 2));
          if (c.nonFinite) {
            x.data[9] = NaN;
            x.data[70] = Infinity;
          }
          const wt = tensor([c.r, c.r, ic, c.oc], randData(c.r * c.r * ic * c.oc, 200 + ci));
          const b = tensor([c.oc], randData(c.oc, 300 + ci));
          const ref = opDef('conv2d').reference([x, wt, b], attrs)[0];
          const S = opDef('conv2d').reference([x, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
          const [oh, ow] = windowOutputShape(c.x, c.r, c.r, [1, 1], [1, 1], c.p);
          assert.deepEqual(ref.shape, [n, oh, ow, c.oc]);
          const got = runWinograd(engine.load(variant), c, x.data, wt.data, b.data, ref.data.length);
          const K = c.r * c.r * ic;
          const slope = c.act?.fn === 'tanh' || c.act?.fn === 'leaky_relu' || c.act?.fn === 'relu' || c.act?.fn === 'relu6' ? 1.2 : 1;
          for (let i = 0; i < ref.data.length; i++) {
            const r = ref.data[i];
            const g = got[i];
            if (!Number.isFinite(r)) {
              assert.ok(!Number.isFinite(g), `[${i}]: reference ${r}, got ${g}`);
              continue;
            }
            if (c.nonFinite && !Number.isFinite(g)) continue; // spread through the tile (see header)
            const tol = slope * FACTOR(c.r, c.m ?? 2) * (K + 4) * U * S[i] + 8 * U * Math.abs(r) + 16 * U;
            assert.ok(Math.abs(g - r) <= tol, `[${i}]: got ${g}, expected ${r}, |diff| ${Math.abs(g - r)} > ${tol}`);
          }
        });
      });
    }
  });
}
