// Fast JS dense: row-major weights streamed once per row, accumulators in float64 (one rounding per output).
// Loop order k-outer / n-inner walks W contiguously, which is what matters in a JIT without SIMD.

import type { JsKernel } from '../abi.js';
import { activator } from './activate.js';
import { viewOf } from './views.js';

export const denseJs: JsKernel = {
  name: 'js.dense',
  supports: (step) => step.node.op === 'dense' && step.inputs[1].data !== undefined,
  bind(step, arena) {
    const x = viewOf(step.inputs[0], arena);
    const w = step.inputs[1].data!;
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : undefined;
    const y = viewOf(step.outputs[0], arena);
    const [K, N] = step.inputs[1].shape;
    const rows = K === 0 ? y.length / Math.max(N, 1) : x.length / K;
    const acc = new Float64Array(N);
    const act = activator((step.node.attrs as { activation: Parameters<typeof activator>[0] }).activation);
    return () => {
      for (let r = 0; r < rows; r++) {
        if (b) for (let n = 0; n < N; n++) acc[n] = b[n];
        else acc.fill(0);
        const xo = r * K;
        for (let k = 0; k < K; k++) {
          const xv = x[xo + k];
          const wo = k * N;
          for (let n = 0; n < N; n++) acc[n] += xv * w[wo + n];
        }
        const yo = r * N;
        for (let n = 0; n < N; n++) y[yo + n] = acc[n];
        if (act) act(y, yo, yo + N);
      }
    };
  },
};
