// Broadcast iteration for JS kernels, planned once at bind time: the output shape is collapsed (size-1 axes
// dropped, neighbours merged where every operand is contiguous across them), so a run is an odometer over the
// outer axes and one strided inner loop. No per-call allocation: the odometer state is a preallocated Int32Array.

import type { Shape } from '../../core/tensor.js';
import { broadcastStrides } from '../../ops/binary.js';

export interface BroadcastPlan {
  /** Collapsed output dims, innermost last; at least one entry. */
  readonly dims: Int32Array;
  /** Per operand, its element stride along each collapsed dim (0 where it is broadcast). */
  readonly strides: readonly Int32Array[];
  /** Length of the innermost loop and the number of inner loops. */
  readonly inner: number;
  readonly outer: number;
}

export function planBroadcast(out: Shape, operands: readonly Shape[]): BroadcastPlan {
  const full = operands.map((s) => broadcastStrides(s, out));
  const dims: number[] = [];
  const strides: number[][] = operands.map(() => []);
  for (let d = 0; d < out.length; d++) {
    if (out[d] === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && full.every((s, k) => strides[k][last] === s[d] * out[d]);
    if (mergeable) {
      dims[last] *= out[d];
      full.forEach((s, k) => (strides[k][last] = s[d]));
    } else {
      dims.push(out[d]);
      full.forEach((s, k) => strides[k].push(s[d]));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  const inner = dims[dims.length - 1];
  const total = dims.reduce((p, q) => p * q, 1);
  return { dims: Int32Array.from(dims), strides: strides.map((s) => Int32Array.from(s)), inner, outer: inner === 0 ? 0 : total / inner };
}
