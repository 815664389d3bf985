// The training kernels in WebAssembly SIMD (src/train/wasm/as/, built by scripts/build-train-wasm.mjs): each
// call copies its operands into the module's linear memory, runs, and copies the results out. The copies are
// O(activations) against O(multiply-adds) of work (e.g. 2.5 MB in and out for 0.8 GFLOP in the expert
// model's second conv backward), and keep the callers' plain Float32Arrays. The im2col column matrices
// never leave wasm memory.

import { InternalError, UnsupportedFeatureError } from '../../core/errors.js';
import { decodeBase64 } from '../../kernels/wasm/base64.js';
import { relaxedSimdSupported, simdSupported } from '../../kernels/wasm/loader.js';
import { TRAIN_WASM_RELAXED_BASE64 } from '../wasm/generated/train-kernels-relaxed.js';
import { TRAIN_WASM_SIMD_BASE64 } from '../wasm/generated/train-kernels-simd.js';
import { convChunkImages } from './js.js';
import type { ConvGeometry, PoolGeometry, TrainKernels } from './types.js';

interface TrainExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  isRelaxed(): number;
  gemmScratchBytes(M: number, N: number, K: number): number;
  gemm(transA: number, transB: number, M: number, N: number, K: number, a: number, b: number, c: number, accumulate: number, scratch: number): void;
  convScratchBytes(geometry: number, backward: number): number;
  conv2dForward(geometry: number, x: number, w: number, bias: number, y: number, scratch: number, relu: number): void;
  conv2dBackward(geometry: number, x: number, w: number, dy: number, dx: number, dw: number, db: number, scratch: number, reluY: number): void;
  maxPool2dForward(geometry: number, x: number, y: number, argmax: number): void;
  maxPool2dBackward(dy: number, argmax: number, count: number, dx: number, dxCount: number): void;
}

export type TrainWasmVariant = 'simd' | 'relaxed';

const PAGE = 65536;
const GEOMETRY_BYTES = 64;

/** Bump layout of one call's operands, 64-byte aligned, starting after the geometry record. */
class Layout {
  top: number;
  constructor(base: number) {
    this.top = base;
  }
  take(bytes: number): number {
    const at = Math.ceil(this.top / 64) * 64;
    this.top = at + bytes;
    return at;
  }
}

export class WasmTrainKernels implements TrainKernels {
  readonly name = 'wasm' as const;
  private readonly x: TrainExports;
  private readonly base: number;

  constructor(readonly variant: TrainWasmVariant) {
    if (!simdSupported()) throw new UnsupportedFeatureError('this JavaScript engine has no WebAssembly SIMD: use the js training kernels');
    // In Node 20 this also turns on V8's relaxed-SIMD flag before the module is compiled.
    if (variant === 'relaxed' && !relaxedSimdSupported()) throw new UnsupportedFeatureError('this JavaScript engine has no WebAssembly relaxed SIMD');
    const bytes = decodeBase64(variant === 'relaxed' ? TRAIN_WASM_RELAXED_BASE64 : TRAIN_WASM_SIMD_BASE64);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    this.x = instance.exports as unknown as TrainExports;
    if (!(this.x.memory instanceof WebAssembly.Memory)) throw new InternalError('training wasm module exports no memory');
    this.base = this.x.heapBase();
  }

  /** Grows linear memory to hold `end` bytes; returns a fresh view (growing detaches old ones). */
  private heap(end: number): Float32Array {
    const need = end + 64;
    const have = this.x.memory.buffer.byteLength;
    if (need > have) this.x.memory.grow(Math.ceil((need - have) / PAGE));
    return new Float32Array(this.x.memory.buffer);
  }

  private put(heap: Float32Array, at: number, data: Float32Array): void {
    heap.set(data, at >> 2);
  }

  private get(heap: Float32Array, at: number, out: Float32Array): void {
    out.set(heap.subarray(at >> 2, (at >> 2) + out.length));
  }

  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate: boolean): void {
    if (M === 0 || N === 0) return;
    const L = new Layout(this.base);
    const a = L.take(M * K * 4);
    const b = L.take(K * N * 4);
    const c = L.take(M * N * 4);
    const s = L.take(this.x.gemmScratchBytes(M, N, K));
    const heap = this.heap(L.top);
    this.put(heap, a, A.subarray(0, M * K));
    this.put(heap, b, B.subarray(0, K * N));
    if (accumulate) this.put(heap, c, C.subarray(0, M * N));
    this.x.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, a, b, c, accumulate ? 1 : 0, s);
    this.get(new Float32Array(this.x.memory.buffer), c, C.subarray(0, M * N));
  }

  private geometry(g: ConvGeometry): Int32Array {
    return Int32Array.of(g.n, g.h, g.w, g.c, g.kh, g.kw, g.co, g.oh, g.ow, g.strides[0], g.strides[1], g.dilations[0], g.dilations[1], g.pads[0], g.pads[2], convChunkImages(g));
  }

  private writeGeometry(g: ConvGeometry): void {
    this.heap(this.base + GEOMETRY_BYTES);
    new Int32Array(this.x.memory.buffer, this.base, 16).set(this.geometry(g));
  }

  conv2dForward(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, y: Float32Array, relu: boolean): void {
    this.writeGeometry(g);
    const kk = g.kh * g.kw * g.c;
    const ySize = g.n * g.oh * g.ow * g.co;
    const L = new Layout(this.base + GEOMETRY_BYTES);
    const xa = L.take(x.length * 4);
    const wa = L.take(kk * g.co * 4);
    const ba = bias ? L.take(g.co * 4) : 0;
    const ya = L.take(ySize * 4);
    const sa = L.take(this.x.convScratchBytes(this.base, 0));
    const heap = this.heap(L.top);
    this.put(heap, xa, x);
    this.put(heap, wa, w);
    if (bias) this.put(heap, ba, bias);
    this.x.conv2dForward(this.base, xa, wa, ba, ya, sa, relu ? 1 : 0);
    this.get(new Float32Array(this.x.memory.buffer), ya, y.subarray(0, ySize));
  }

  conv2dBackward(g: ConvGeometry, x: Float32Array, w: Float32Array, dy: Float32Array, dx: Float32Array | null, dw: Float32Array, db: Float32Array | null, reluOutput: Float32Array | null): void {
    this.writeGeometry(g);
    const kk = g.kh * g.kw * g.c;
    const L = new Layout(this.base + GEOMETRY_BYTES);
    const xa = L.take(x.length * 4);
    const wa = L.take(kk * g.co * 4);
    const dya = L.take(dy.length * 4);
    const dxa = dx ? L.take(x.length * 4) : 0;
    const dwa = L.take(kk * g.co * 4);
    const dba = db ? L.take(g.co * 4) : 0;
    const ra = reluOutput ? L.take(dy.length * 4) : 0;
    const sa = L.take(this.x.convScratchBytes(this.base, 1));
    const heap = this.heap(L.top);
    this.put(heap, xa, x);
    this.put(heap, wa, w);
    this.put(heap, dya, dy);
    if (reluOutput) this.put(heap, ra, reluOutput.subarray(0, dy.length));
    this.x.conv2dBackward(this.base, xa, wa, dya, dxa, dwa, dba, sa, ra);
    const out = new Float32Array(this.x.memory.buffer);
    if (dx) this.get(out, dxa, dx);
    this.get(out, dwa, dw);
    if (db) this.get(out, dba, db);
  }

  maxPool2dForward(g: PoolGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
    this.heap(this.base + GEOMETRY_BYTES);
    new Int32Array(this.x.memory.buffer, this.base, 12).set([g.n, g.h, g.w, g.c, g.kh, g.kw, g.oh, g.ow, g.strides[0], g.strides[1], g.pads[0], g.pads[2]]);
    const size = g.n * g.oh * g.ow * g.c;
    const L = new Layout(this.base + GEOMETRY_BYTES);
    const xa = L.take(x.length * 4);
    const ya = L.take(size * 4);
    const aa = L.take(size * 4);
    const heap = this.heap(L.top);
    this.put(heap, xa, x);
    this.x.maxPool2dForward(this.base, xa, ya, aa);
    const buf = this.x.memory.buffer;
    y.set(new Float32Array(buf, ya, size));
    argmax.set(new Int32Array(buf, aa, size));
  }

  maxPool2dBackward(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
    const L = new Layout(this.base);
    const dya = L.take(dy.length * 4);
    const aa = L.take(argmax.length * 4);
    const dxa = L.take(dx.length * 4);
    const heap = this.heap(L.top);
    this.put(heap, dya, dy);
    new Int32Array(heap.buffer, aa, argmax.length).set(argmax);
    this.x.maxPool2dBackward(dya, aa, dy.length, dxa, dx.length);
    this.get(new Float32Array(this.x.memory.buffer), dxa, dx);
  }
}

let shared: WasmTrainKernels | undefined;

export function wasmTrainSupported(): boolean {
  return typeof WebAssembly === 'object' && simdSupported();
}

/** The process-wide instance (relaxed SIMD when the engine has it). */
export function wasmTrainKernels(variant?: TrainWasmVariant): TrainKernels {
  if (!wasmTrainSupported()) throw new UnsupportedFeatureError('this JavaScript engine has no WebAssembly SIMD: use the js training kernels');
  if (variant) return new WasmTrainKernels(variant);
  shared ??= new WasmTrainKernels(relaxedSimdSupported() ? 'relaxed' : 'simd');
  return shared;
}
