// AssemblyScript, compiled by scripts/build-train-wasm.mjs (asc); tsconfig.json excludes it from tsc.
// kerasrt training kernels (WebAssembly SIMD): GEMM in every transpose combination and conv2d forward /
// backward. Entry module of the build (scripts/build-train-wasm.mjs). No allocator (--runtime stub): the
// TypeScript side (src/train/kernels/wasm.ts) lays out linear memory for each call.

import { gemm as gemmImpl, gemmScratchBytes as gemmScratch } from "./gemm";
import { maxPool2dForward as poolF, maxPool2dBackward as poolB } from "./pool";
import { conv2dForward as convF, conv2dBackward as convB, convScratchBytes as convScratch, addBias as addBiasImpl, sumRows as sumRowsImpl } from "./conv";

/** First byte the TypeScript side may use, 64-byte aligned. */
export function heapBase(): i32 {
  return <i32>((__heap_base + 63) & ~(<usize>63));
}

export function isRelaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

export function gemmScratchBytes(M: i32, N: i32, K: i32): i32 {
  return gemmScratch(M, N, K);
}

export function gemm(transA: i32, transB: i32, M: i32, N: i32, K: i32, a: i32, b: i32, c: i32, accumulate: i32, scratch: i32): void {
  gemmImpl(transA != 0, transB != 0, M, N, K, <usize>a, <usize>b, <usize>c, accumulate != 0, <usize>scratch);
}

export function convScratchBytes(geometry: i32, backward: i32): i32 {
  return convScratch(<usize>geometry, backward != 0);
}

export function conv2dForward(geometry: i32, x: i32, w: i32, bias: i32, y: i32, scratch: i32, relu: i32): void {
  convF(<usize>geometry, <usize>x, <usize>w, <usize>bias, <usize>y, <usize>scratch, relu != 0);
}

export function conv2dBackward(geometry: i32, x: i32, w: i32, dy: i32, dx: i32, dw: i32, db: i32, scratch: i32, reluY: i32): void {
  convB(<usize>geometry, <usize>x, <usize>w, <usize>dy, <usize>dx, <usize>dw, <usize>db, <usize>scratch, <usize>reluY);
}

export function maxPool2dForward(geometry: i32, x: i32, y: i32, argmax: i32): void {
  poolF(<usize>geometry, <usize>x, <usize>y, <usize>argmax);
}

export function maxPool2dBackward(dy: i32, argmax: i32, count: i32, dx: i32, dxCount: i32): void {
  poolB(<usize>dy, <usize>argmax, count, <usize>dx, dxCount);
}

export function addBias(y: i32, rows: i32, n: i32, bias: i32): void {
  addBiasImpl(<usize>y, rows, n, <usize>bias);
}

export function sumRows(dy: i32, rows: i32, n: i32, out: i32): void {
  sumRowsImpl(<usize>dy, rows, n, <usize>out);
}
