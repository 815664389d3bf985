// Little-endian float32 arrays out of file bytes, without a per-float decode. Weight files (TF.js shards,
// .npy, TensorProto raw data) store float32 little-endian; reading them one DataView.getFloat32 at a time cost
// ~10 ms on deep-mnist's 13 MB, a fifth of the load + compile budget. On a little-endian host (every platform
// Node and the browsers run on today) the bytes already are the floats: an aligned range becomes a view of
// them (no copy, no new 13 MB allocation for the GC to account for), an unaligned one a copy; elsewhere the
// bytes are swapped through a DataView.
//
// A view shares memory with the bytes the file source returned. That is safe because graph constants are
// never written after import (passes make new arrays; back ends copy or pack them; training copies them
// into its variables), and documented for memoryFileSource callers: keep the bytes unchanged while the
// model is in use.

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** n float32 values stored little-endian at bytes[offset..offset + 4n) (the caller checked the range). */
export function float32sLE(bytes: Uint8Array, offset: number, n: number): Float32Array {
  if (HOST_LITTLE_ENDIAN && (bytes.byteOffset + offset) % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset + offset, n);
  const out = new Float32Array(n);
  if (HOST_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + 4 * n));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  }
  return out;
}

/** The pieces one after another in one new array (reads in chunks, shards of one weight group). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
