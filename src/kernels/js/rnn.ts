// Fast JS recurrent layers (simple_rnn, lstm, gru). Time runs outermost, all samples of the batch together:
//  - the input projection x_t W of a chunk of steps, for every sample, is one float64 GEMM (gemm4x4F64);
//  - the recurrent projection h U of a step is a GEMM over the batch's rows (4+ samples) or one GEMV per sample
//    (8-column panels, gemv8), then the gate arithmetic.
// Weights are packed once at bind time (repacked per run only when they are arena tensors); state, gate and
// projection buffers are made at bind time, so a run allocates nothing. The arithmetic mirrors the reference
// step by step (the same float64 sums in the same order; h and c rounded to float32 after every step, as Keras
// keeps them), so results normally match it bit for bit. Activations run in place over float64 gate ranges
// (activate.ts): no per-element function call, so no boxed doubles.

import type { GruAttrs } from '../../ops/gru.js';
import type { LstmAttrs } from '../../ops/lstm.js';
import type { SimpleRnnAttrs } from '../../ops/simple-rnn.js';
import type { PlanStep } from '../../planner/plan.js';
import type { JsKernel } from '../abi.js';
import { activatorF64 } from './activate.js';
import {
  cachedPack,
  cachedPackF64,
  gemm4x4F64,
  gemv8,
  gemv8F64,
  GEMV_NR,
  packedSize,
  packPanels,
  packPanelsF64,
  packRowF64,
  packRowF64F64,
  panelCount,
} from './gemm.js';
import { viewOf } from './views.js';

/** Float64 floats budget of one chunk of input projections (rows x width). */
const CHUNK_FLOATS = 65536;

const round4 = (n: number): number => (n + 3) & ~3;

interface RnnDims {
  readonly N: number;
  readonly T: number;
  readonly F: number;
  readonly U: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly bias?: Float32Array;
  readonly back: boolean;
  readonly seq: boolean;
}

function rnnDims(step: PlanStep, arena: Float32Array, a: { goBackwards: boolean; returnSequences: boolean }): RnnDims {
  const [N, T, F] = step.inputs[0].shape;
  return {
    N, T, F,
    U: step.inputs[2].shape[0],
    x: viewOf(step.inputs[0], arena),
    y: viewOf(step.outputs[0], arena),
    bias: step.inputs[3] ? viewOf(step.inputs[3], arena) : undefined,
    back: a.goBackwards,
    seq: a.returnSequences,
  };
}

/**
 * x_t W for a chunk of steps [s0, s0 + count) (processed order) of every sample: row n * count + i of `out`
 * (width `width`) holds sample n at step s0 + i.
 */
interface InputProjection {
  readonly out: Float64Array;
  readonly width: number;
  /** Steps per chunk. */
  readonly chunk: number;
  run(s0: number, count: number): void;
}

function inputProjection(step: PlanStep, arena: Float32Array, d: RnnDims, cols: number): InputProjection {
  const { N, T, F, x, back } = d;
  const w = viewOf(step.inputs[1], arena);
  const wConst = step.inputs[1].data !== undefined;
  const width = round4(cols);
  const pack = (dst: Float64Array) => packPanelsF64(w, F, cols, 0, cols, dst);
  const bp = wConst ? cachedPackF64(w, `rnn-in:${F}x${cols}`, F * width, pack) : new Float64Array(F * width);
  const chunk = Math.max(1, Math.min(T, Math.floor(CHUNK_FLOATS / Math.max(1, N * width))));
  const rows4 = round4(N * chunk);
  const ap = new Float64Array(rows4 * F);
  const out = new Float64Array(rows4 * width);
  return {
    out,
    width,
    chunk,
    run(s0, count) {
      if (!wConst && s0 === 0) pack(bp);
      const rows = N * count;
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < count; i++) {
          const s = s0 + i;
          const t = back ? T - 1 - s : s;
          packRowF64(x, (n * T + t) * F, F, ap, 0, n * count + i);
        }
      }
      const r4 = round4(rows);
      for (let r = rows; r < r4; r++) for (let i = 0, o = (r >> 2) * F * 4 + (r & 3); i < F; i++, o += 4) ap[o] = 0;
      gemm4x4F64(ap, 0, r4, F, bp, 0, width, out, 0, width);
    },
  };
}

/** v_n U for every sample n (v = the state h, or GRU's r * h): row n of `out` (width `width`). */
interface RecurrentProjection {
  readonly out: Float64Array;
  readonly width: number;
  refresh(): void;
  run(v: Float32Array): void;
  runF64(v: Float64Array): void;
}

/** Columns [col0, col0 + cols) of the recurrent kernel [U, ld] (input 2). */
function recurrentProjection(step: PlanStep, arena: Float32Array, N: number, U: number, ld: number, col0: number, cols: number): RecurrentProjection {
  const m = viewOf(step.inputs[2], arena);
  const isConst = step.inputs[2].data !== undefined;
  if (N >= 4) {
    // A GEMM over the batch rows: B in float64 4-column panels.
    const width = round4(cols);
    const pack = (dst: Float64Array) => packPanelsF64(m, U, ld, col0, cols, dst);
    const bp = isConst ? cachedPackF64(m, `rnn-rec4:${U}x${ld}@${col0}+${cols}`, U * width, pack) : new Float64Array(U * width);
    const N4 = round4(N);
    const ap = new Float64Array(N4 * U);
    const out = new Float64Array(N4 * width);
    return {
      out,
      width,
      refresh: isConst ? () => {} : () => pack(bp),
      run(v) {
        for (let n = 0; n < N; n++) packRowF64(v, n * U, U, ap, 0, n);
        gemm4x4F64(ap, 0, N4, U, bp, 0, width, out, 0, width);
      },
      runF64(v) {
        for (let n = 0; n < N; n++) packRowF64F64(v, n * U, U, ap, 0, n);
        gemm4x4F64(ap, 0, N4, U, bp, 0, width, out, 0, width);
      },
    };
  }
  // One GEMV per sample: B in float32 8-column panels, read once per sample and step.
  const panels = panelCount(cols, GEMV_NR);
  const width = panels * GEMV_NR;
  const pack = (dst: Float32Array) => packPanels(m, 0, U, ld, col0, cols, GEMV_NR, dst);
  const bp = isConst ? cachedPack(m, `rnn-rec8:${U}x${ld}@${col0}+${cols}`, packedSize(U, cols, GEMV_NR), pack) : new Float32Array(packedSize(U, cols, GEMV_NR));
  const zeros = new Float32Array(width);
  const out = new Float64Array(Math.max(N, 1) * width);
  return {
    out,
    width,
    refresh: isConst ? () => {} : () => pack(bp),
    run(v) {
      for (let n = 0; n < N; n++) gemv8(v, n * U, U, bp, panels, zeros, out, n * width);
    },
    runF64(v) {
      for (let n = 0; n < N; n++) gemv8F64(v, n * U, U, bp, panels, out, n * width);
    },
  };
}

/** Copies the state rows h [N][U] to the output: step s of a sequence, or the last state. */
function emit(d: RnnDims, h: Float32Array, s: number): void {
  const { N, T, U, y } = d;
  for (let n = 0; n < N; n++) {
    const o = d.seq ? (n * T + s) * U : n * U;
    for (let j = 0; j < U; j++) y[o + j] = h[n * U + j];
  }
}

/**
 * The time loop shared by the three cells: h starts at zero; the input projections are made a chunk of steps at a
 * time; each step projects h (rp.out) and calls `cell(count, i)`, which reads row n * count + i of xp.out and
 * updates h in place; then every state (return_sequences) or the last one is copied out.
 */
function runSequence(d: RnnDims, xp: InputProjection, rp: RecurrentProjection, h: Float32Array, cell: (count: number, i: number) => void): void {
  rp.refresh();
  h.fill(0);
  for (let s0 = 0; s0 < d.T; s0 += xp.chunk) {
    const count = Math.min(xp.chunk, d.T - s0);
    xp.run(s0, count);
    for (let i = 0; i < count; i++) {
      rp.run(h);
      cell(count, i);
      if (d.seq) emit(d, h, s0 + i);
    }
  }
  if (!d.seq) emit(d, h, 0);
}

export const simpleRnnJs: JsKernel = {
  name: 'js.simple_rnn',
  supports: (step) => step.node.op === 'simple_rnn',
  bind(step, arena) {
    const a = step.node.attrs as SimpleRnnAttrs;
    const d = rnnDims(step, arena, a);
    const { N, U, bias } = d;
    const xp = inputProjection(step, arena, d, U);
    const rp = recurrentProjection(step, arena, N, U, U, 0, U);
    const h = new Float32Array(N * U);
    const pre = new Float64Array(N * U);
    const act = activatorF64(a.activation);
    const cell = (count: number, i: number): void => {
      for (let n = 0; n < N; n++) {
        const xo = (n * count + i) * xp.width;
        const ho = n * rp.width;
        for (let j = 0; j < U; j++) pre[n * U + j] = xp.out[xo + j] + (bias ? bias[j] : 0) + rp.out[ho + j];
      }
      if (act) act(pre, 0, N * U);
      for (let k = 0; k < N * U; k++) h[k] = pre[k];
    };
    return () => runSequence(d, xp, rp, h, cell);
  },
};

export const lstmJs: JsKernel = {
  name: 'js.lstm',
  supports: (step) => step.node.op === 'lstm',
  bind(step, arena) {
    const a = step.node.attrs as LstmAttrs;
    const d = rnnDims(step, arena, a);
    const { N, U, bias } = d;
    const G = 4 * U;
    const xp = inputProjection(step, arena, d, G);
    const rp = recurrentProjection(step, arena, N, U, G, 0, G);
    const h = new Float32Array(N * U);
    const c = new Float32Array(N * U);
    const z = new Float64Array(G);
    const tc = new Float64Array(U);
    const act = activatorF64(a.activation);
    const ra = activatorF64(a.recurrentActivation);
    const cell = (count: number, i: number): void => {
      for (let n = 0; n < N; n++) {
        const xo = (n * count + i) * xp.width;
        const ho = n * rp.width;
        for (let k = 0; k < G; k++) z[k] = xp.out[xo + k] + (rp.out[ho + k] + (bias ? bias[k] : 0));
        // Gates i, f, o through the recurrent activation, the candidate through the activation, in place.
        if (ra) {
          ra(z, 0, 2 * U);
          ra(z, 3 * U, G);
        }
        if (act) act(z, 2 * U, 3 * U);
        const so = n * U;
        for (let j = 0; j < U; j++) {
          c[so + j] = z[U + j] * c[so + j] + z[j] * z[2 * U + j];
          tc[j] = c[so + j]; // the float32 state, as the reference reads it back
        }
        if (act) act(tc, 0, U);
        for (let j = 0; j < U; j++) h[so + j] = z[3 * U + j] * tc[j];
      }
    };
    return () => {
      c.fill(0);
      runSequence(d, xp, rp, h, cell);
    };
  },
};

export const gruJs: JsKernel = {
  name: 'js.gru',
  supports: (step) => step.node.op === 'gru',
  bind(step, arena) {
    const a = step.node.attrs as GruAttrs;
    const d = rnnDims(step, arena, a);
    const { N, U, bias } = d;
    const G = 3 * U;
    const after = a.resetAfter;
    const xp = inputProjection(step, arena, d, G);
    // reset_after: h U for all three gates. Otherwise h U for z and r only, and (r * h) Uh separately.
    const rp = recurrentProjection(step, arena, N, U, G, 0, after ? G : 2 * U);
    const rhp = after ? undefined : recurrentProjection(step, arena, N, U, G, 2 * U, U);
    const h = new Float32Array(N * U);
    const zg = new Float64Array(U);
    const rg = new Float64Array(U);
    const rh = new Float64Array(N * U);
    const rgAll = new Float64Array(N * U);
    const hh = new Float64Array(U);
    // Input bias bx [3U] and, with reset_after, recurrent bias bh [3U] (zeros otherwise, as in the reference).
    const bx = new Float64Array(G);
    const bh = new Float64Array(G);
    const biasConst = !step.inputs[3] || step.inputs[3].data !== undefined;
    const fillBias = () => {
      if (!bias) return;
      for (let k = 0; k < G; k++) bx[k] = bias[k];
      if (after) for (let k = 0; k < G; k++) bh[k] = bias[G + k];
    };
    fillBias();
    const act = activatorF64(a.activation);
    const ra = activatorF64(a.recurrentActivation);
    const cell = (count: number, i: number): void => {
      const xw = xp.out;
      const hu = rp.out;
      // Reset gates of every sample first (and r * h, whose projection the candidate needs before the reset).
      for (let n = 0; n < N; n++) {
        const xo = (n * count + i) * xp.width;
        const ho = n * rp.width;
        for (let j = 0; j < U; j++) rg[j] = xw[xo + U + j] + bx[U + j] + hu[ho + U + j] + bh[U + j];
        if (ra) ra(rg, 0, U);
        for (let j = 0; j < U; j++) {
          rgAll[n * U + j] = rg[j];
          rh[n * U + j] = rg[j] * h[n * U + j];
        }
      }
      if (rhp) rhp.runF64(rh);
      for (let n = 0; n < N; n++) {
        const xo = (n * count + i) * xp.width;
        const ho = n * rp.width;
        for (let j = 0; j < U; j++) zg[j] = xw[xo + j] + bx[j] + hu[ho + j] + bh[j];
        if (ra) ra(zg, 0, U);
        if (rhp) {
          const ro = n * rhp.width;
          for (let j = 0; j < U; j++) hh[j] = xw[xo + 2 * U + j] + bx[2 * U + j] + rhp.out[ro + j];
        } else {
          for (let j = 0; j < U; j++) hh[j] = xw[xo + 2 * U + j] + bx[2 * U + j] + rgAll[n * U + j] * (hu[ho + 2 * U + j] + bh[2 * U + j]);
        }
        if (act) act(hh, 0, U);
        const so = n * U;
        for (let j = 0; j < U; j++) h[so + j] = zg[j] * h[so + j] + (1 - zg[j]) * hh[j];
      }
    };
    return () => {
      rhp?.refresh();
      if (!biasConst) fillBias();
      runSequence(d, xp, rp, h, cell);
    };
  },
};
