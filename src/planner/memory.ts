// Arena layout: every intermediate tensor gets an offset in one Float32Array, reused once the tensor is dead.
// Greedy by size (largest first), first fit among buffers whose lifetimes overlap: simple and near-optimal
// for the chain-shaped graphs Keras models are. Reshape outputs alias their input (same bytes, row-major).

export interface BufferRequest {
  /** Floats needed. */
  readonly size: number;
  /** First step that writes it (-1 for graph inputs). */
  readonly start: number;
  /** Last step that reads it (Infinity for graph outputs). */
  readonly end: number;
}

/** 16 floats = 64 bytes: a cache line, and v128-aligned for the wasm kernels. */
export const ARENA_ALIGN = 16;

export function alignUp(n: number, a = ARENA_ALIGN): number {
  return Math.ceil(n / a) * a;
}

/** Returns an offset per request and the arena size (floats). */
export function assignOffsets(reqs: readonly BufferRequest[]): { offsets: number[]; size: number } {
  const order = reqs.map((_, i) => i).sort((a, b) => reqs[b].size - reqs[a].size || a - b);
  const placed: { off: number; size: number; start: number; end: number }[] = [];
  const offsets = new Array<number>(reqs.length).fill(0);
  let total = 0;
  for (const i of order) {
    const r = reqs[i];
    const size = alignUp(Math.max(r.size, 1));
    const clashes = placed
      .filter((p) => p.start <= r.end && r.start <= p.end)
      .sort((a, b) => a.off - b.off);
    let off = 0;
    for (const p of clashes) {
      if (off + size <= p.off) break;
      off = Math.max(off, p.off + p.size);
    }
    placed.push({ off, size, start: r.start, end: r.end });
    offsets[i] = off;
    total = Math.max(total, off + size);
  }
  return { offsets, size: total };
}
