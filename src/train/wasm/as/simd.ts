// AssemblyScript, compiled by scripts/build-train-wasm.mjs (asc); tsconfig.json excludes it from tsc.
// The multiply-add of every inner loop: one f32x4.relaxed_madd in the relaxed-SIMD build (a fused FMA where
// the CPU has one), mul + add otherwise.

// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}
