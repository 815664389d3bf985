// Winograd F(m x m, r x r) transform matrices (F(2x2, 3x3), F(4x4, 3x3), F(2x2, 5x5)) and the plan-time kernel
// transform U = G g G^T, for the wasm Winograd convs (as/winograd.ts holds BT and AT as code; the matrices here
// are the same, for the tests). Derived by Toom-Cook on the points 0, +-1 (F(2, 3)) and 0, +-1, +-2 (F(4, 3),
// F(2, 5)) plus infinity, with BT scaled to integers (the scale moved into G), so the run-time transforms need
// only adds and multiplies by 2, 4, 5 and 8.

import { ShapeError } from '../../core/errors.js';

export type WinogradSize = 3 | 5;
/** Output tile side: 2 (F(2x2, 3x3), F(2x2, 5x5)) or 4 (F(4x4, 3x3) only). */
export type WinogradTile = 2 | 4;

export interface WinogradMatrices {
  /** Output tile side. */
  readonly m: WinogradTile;
  /** Input tile side, m + r - 1. */
  readonly t: number;
  /** [m][t] */
  readonly AT: readonly (readonly number[])[];
  /** [t][r] */
  readonly G: readonly (readonly number[])[];
  /** [t][t] */
  readonly BT: readonly (readonly number[])[];
}

export const WINOGRAD: Record<WinogradSize, WinogradMatrices> = {
  3: {
    m: 2,
    t: 4,
    AT: [[1, 1, 1, 0], [0, 1, -1, 1]],
    G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
    BT: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, -1, 0, 1]],
  },
  5: {
    m: 2,
    t: 6,
    AT: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 1]],
    G: [
      [1 / 4, 0, 0, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
      [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
      [0, 0, 0, 0, 1],
    ],
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
  },
};

/** F(4x4, 3x3): same input transform as F(2x2, 5x5); 2.25 multiplies per output instead of 4 (F(2x2, 3x3)). */
export const WINOGRAD_F4: WinogradMatrices = {
  m: 4,
  t: 6,
  AT: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
  G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
  BT: WINOGRAD[5].BT,
};

/** The matrices of F(m x m, r x r). */
export function winogradMatrices(r: WinogradSize, m: WinogradTile = 2): WinogradMatrices {
  if (m === 4) {
    if (r !== 3) throw new ShapeError(`Winograd F(4x4, ${r}x${r}) is not provided (only F(4x4, 3x3))`);
    return WINOGRAD_F4;
  }
  return WINOGRAD[r];
}

/** Whether a conv can run as Winograd in wasm: square 3x3 or 5x5 kernel, unit strides and dilations, groups 1. */
export function winogradApplies(kh: number, kw: number, strides: readonly number[] = [1, 1], dilations: readonly number[] = [1, 1], groups = 1): boolean {
  return kh === kw && (kh === 3 || kh === 5) && strides[0] === 1 && strides[1] === 1 && dilations[0] === 1 && dilations[1] === 1 && groups === 1;
}

/**
 * U = G g G^T for every (cin, cout) pair of an HWIO kernel [r, r, cin, cout], computed in float64 and rounded
 * once to float32. Returns t*t row-major [cin, cout] matrices (element e = i * t + j), one after another.
 */
export function winogradKernel(kernel: Float32Array, r: WinogradSize, cin: number, cout: number, m: WinogradTile = 2): Float32Array[] {
  const { t, G } = winogradMatrices(r, m);
  if (kernel.length !== r * r * cin * cout) throw new ShapeError(`winogradKernel: kernel has ${kernel.length} floats, [${r}, ${r}, ${cin}, ${cout}] needs ${r * r * cin * cout}`);
  const out = Array.from({ length: t * t }, () => new Float32Array(cin * cout));
  const g = new Float64Array(r * r);
  const gt = new Float64Array(t * r); // G g
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      for (let k = 0; k < r * r; k++) g[k] = kernel[(k * cin + ci) * cout + co];
      for (let i = 0; i < t; i++) {
        for (let b = 0; b < r; b++) {
          let s = 0;
          for (let a = 0; a < r; a++) s += G[i][a] * g[a * r + b];
          gt[i * r + b] = s;
        }
      }
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) {
          let s = 0;
          for (let b = 0; b < r; b++) s += gt[i * r + b] * G[j][b];
          out[i * t + j][ci * cout + co] = s;
        }
      }
    }
  }
  return out;
}
