// Gradient of `embedding`: the table's gradient is the output gradient scatter-added into the looked-up rows
// (out-of-range indices looked up zeros and get nothing); the indices get no gradient.

import { tensor } from '../../core/tensor.js';
import type { EmbeddingAttrs } from '../../ops/embedding.js';
import { defineGrad } from './types.js';

export const embeddingGrad = defineGrad<EmbeddingAttrs>({
  forward([indices, table], _attrs, ctx) {
    const [vocab, dim] = table.shape;
    const y = ctx.ws.zeros(`${ctx.key}:y`, indices.data.length * dim);
    for (let i = 0; i < indices.data.length; i++) {
      const row = Math.trunc(indices.data[i]);
      if (row >= 0 && row < vocab) y.set(table.data.subarray(row * dim, (row + 1) * dim), i * dim);
    }
    return { outputs: [tensor([...indices.shape, dim], y)] };
  },
  backward([dy], [indices, table], _fwd, _attrs, needs, ctx) {
    if (!needs[1]) return [undefined, undefined];
    const [vocab, dim] = table.shape;
    const dt = ctx.ws.zeros(`${ctx.key}:dtable`, table.data.length);
    for (let i = 0; i < indices.data.length; i++) {
      const row = Math.trunc(indices.data[i]);
      if (!(row >= 0 && row < vocab)) continue;
      for (let j = 0; j < dim; j++) dt[row * dim + j] += dy[i * dim + j];
    }
    return [undefined, dt];
  },
});
