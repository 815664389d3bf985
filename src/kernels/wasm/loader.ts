// Instantiates the wasm kernels (embedded as base64 at build time by scripts/build-wasm.mjs) synchronously, picks
// the SIMD or relaxed-SIMD build, and owns the bump allocator over each instance's linear memory.

import { InternalError, UnsupportedFeatureError, UsageError } from '../../core/errors.js';
import { decodeBase64 } from './base64.js';
import { WASM_RELAXED_BASE64 } from './generated/kernels-relaxed.js';
import { WASM_SIMD_BASE64 } from './generated/kernels-simd.js';

/** 'simd': f32x4 mul + add. 'relaxed': f32x4.relaxed_madd (one FMA where the CPU has it; may differ by ulps). */
export type WasmVariant = 'simd' | 'relaxed';

/** What the kernel module exports (see src/kernels/wasm/as/run.ts). */
export interface WasmKernelExports {
  readonly memory: WebAssembly.Memory;
  /** Runs `steps` step records at byte address `program`; 0, or 1 + the index of a step with a bad opcode. */
  run(program: number, steps: number): number;
  /** First free byte after the module's static data, 64-byte aligned. */
  heapBase(): number;
  /** 1 in the relaxed build. */
  isRelaxed(): number;
  /** Benchmark probe: `iters` x 72 flops of register-only multiply-adds (pass x = 1e-7). */
  peakFma(iters: number, x: number): number;
  /**
   * Compile-time packing (as/pack.ts), byte addresses: rows [k0, k1) of a row-major [K, N] kernel (staged at
   * src) into its panels at dst; a Winograd transform of an HWIO kernel into t*t packed matrices (G: t x r
   * float64 at g, t * r float64 at tmp). The native addon has the same (native/src/pack.cc); an engine of the
   * step format without them gets its weights packed in JavaScript (program.ts).
   */
  packPanelRows?(src: number, dst: number, K: number, N: number, k0: number, k1: number): void;
  winogradPack?(src: number, dst: number, g: number, tmp: number, r: number, t: number, cin: number, cout: number): void;
}

export interface LoadWasmOptions {
  /** Which build to instantiate; 'auto' (default) takes relaxed when the engine supports it. */
  readonly variant?: WasmVariant | 'auto';
  /**
   * In Node, allow enabling V8's `--experimental-wasm-relaxed-simd` (needed on Node 20, whose V8 ships relaxed SIMD
   * behind that flag) when 'auto' or 'relaxed' is asked for. Default true. Never touches anything in browsers.
   */
  readonly allowNodeFlag?: boolean;
}

const PAGE = 65536;

/** Bump allocator over one instance's linear memory: reserve regions at plan time, grow once, never free. */
export class WasmAllocator {
  private top: number;
  private committed: number;
  constructor(private readonly memory: WebAssembly.Memory, base: number) {
    this.top = base;
    this.committed = memory.buffer.byteLength;
  }

  /** Reserves `bytes` (aligned to `align`) and returns the byte address. Memory is not grown until commit(). */
  reserve(bytes: number, align = 64): number {
    if (!(bytes >= 0) || !Number.isInteger(bytes)) throw new UsageError(`wasm allocator: bad size ${bytes}`);
    const at = Math.ceil(this.top / align) * align;
    this.top = at + bytes;
    if (this.top > 0xffff_0000) throw new UsageError(`wasm allocator: ${this.top} bytes exceed the 4 GiB wasm32 address space`);
    return at;
  }

  /** Grows linear memory (one memory.grow) to cover everything reserved, plus 64 bytes of slack for vector tails. */
  commit(): void {
    const need = this.top + 64;
    if (need <= this.committed) return;
    const pages = Math.ceil((need - this.memory.buffer.byteLength) / PAGE);
    if (pages > 0) this.memory.grow(pages);
    this.committed = this.memory.buffer.byteLength;
  }

  /** Bytes reserved so far (the high-water mark). */
  get used(): number {
    return this.top;
  }
}

/** One instance of the kernels: its own linear memory and allocator. One per Session (or per worker). */
export interface WasmKernels {
  readonly variant: WasmVariant;
  readonly exports: WasmKernelExports;
  readonly memory: WebAssembly.Memory;
  readonly allocator: WasmAllocator;
}

// Smallest modules that use f32x4.add (SIMD) and f32x4.relaxed_madd: (v128, v128, v128) -> v128.
const PROBE_HEAD = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0];
const SIMD_PROBE = new Uint8Array([...PROBE_HEAD, 10, 11, 1, 9, 0, 0x20, 0, 0x20, 1, 0xfd, 0xe4, 0x01, 0x0b]);
const RELAXED_PROBE = new Uint8Array([...PROBE_HEAD, 10, 13, 1, 11, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b]);

interface NodeV8 {
  setFlagsFromString(flags: string): void;
}

/** node:v8 through process.getBuiltinModule (Node >= 20.16 / 22.3): synchronous, invisible to bundlers. */
function nodeV8(): NodeV8 | undefined {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return undefined;
  const v8 = proc.getBuiltinModule('node:v8') as NodeV8 | undefined;
  return typeof v8?.setFlagsFromString === 'function' ? v8 : undefined;
}

let simdOk: boolean | undefined;
let relaxedOk: boolean | undefined;

export function simdSupported(): boolean {
  if (simdOk === undefined) simdOk = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  return simdOk;
}

/**
 * Whether this engine validates relaxed SIMD. In Node, when it does not and `allowNodeFlag` is true, first sets
 * V8's --experimental-wasm-relaxed-simd (affects modules compiled afterwards in this process) and asks again.
 */
export function relaxedSimdSupported(allowNodeFlag = true): boolean {
  if (relaxedOk === true) return true;
  if (!simdSupported()) return (relaxedOk = false);
  if (WebAssembly.validate(RELAXED_PROBE)) return (relaxedOk = true);
  if (allowNodeFlag) {
    const v8 = nodeV8();
    if (v8) {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxedOk = WebAssembly.validate(RELAXED_PROBE);
      return relaxedOk;
    }
  }
  return false;
}

const modules = new Map<WasmVariant, WebAssembly.Module>();

function resolveVariant(options: LoadWasmOptions): WasmVariant {
  if (!simdSupported()) throw new UnsupportedFeatureError('this JavaScript engine has no WebAssembly SIMD');
  const want = options.variant ?? 'auto';
  const allow = options.allowNodeFlag ?? true;
  if (want === 'simd') return 'simd';
  if (want === 'relaxed') {
    if (!relaxedSimdSupported(allow)) throw new UnsupportedFeatureError('this JavaScript engine has no WebAssembly relaxed SIMD');
    return 'relaxed';
  }
  if (want !== 'auto') throw new UsageError(`wasm variant must be 'simd', 'relaxed' or 'auto', got ${String(want)}`);
  return relaxedSimdSupported(allow) ? 'relaxed' : 'simd';
}

function moduleBytes(variant: WasmVariant): Uint8Array<ArrayBuffer> {
  return decodeBase64(variant === 'relaxed' ? WASM_RELAXED_BASE64 : WASM_SIMD_BASE64);
}

function wrap(variant: WasmVariant, instance: WebAssembly.Instance): WasmKernels {
  const exports = instance.exports as unknown as WasmKernelExports;
  if (!(exports.memory instanceof WebAssembly.Memory) || typeof exports.run !== 'function') {
    throw new InternalError('wasm kernels: the module does not export memory and run');
  }
  return { variant, exports, memory: exports.memory, allocator: new WasmAllocator(exports.memory, exports.heapBase()) };
}

/**
 * Compiles (once per variant per process) and instantiates the kernels synchronously. Each call returns a fresh
 * instance with its own memory. Browsers restrict synchronous compilation of large modules on the main thread
 * (Chrome: 4 KiB); there, call compileWasmKernels (or kerasrt's init()) once first, or call this from a worker.
 */
export function loadWasmKernels(options: LoadWasmOptions = {}): WasmKernels {
  const variant = resolveVariant(options);
  let mod = modules.get(variant);
  if (!mod) {
    try {
      mod = new WebAssembly.Module(moduleBytes(variant));
    } catch (e) {
      // Chrome's main thread: "WebAssembly.Module(): Buffer size ... exceeds the limit for synchronous compilation".
      if (typeof (globalThis as { document?: unknown }).document === 'object') {
        throw new UsageError('this browser refuses to compile WebAssembly synchronously on the main thread: call `await init()` (kerasrt) before compile()', { cause: e });
      }
      throw e;
    }
    modules.set(variant, mod);
  }
  return wrap(variant, new WebAssembly.Instance(mod, {}));
}

/**
 * Compiles the kernels asynchronously and keeps the module, so later loadWasmKernels calls (compile() in a
 * browser's main thread) only instantiate. Returns the variant compiled.
 */
export async function compileWasmKernels(options: LoadWasmOptions = {}): Promise<WasmVariant> {
  const variant = resolveVariant(options);
  if (!modules.has(variant)) modules.set(variant, await WebAssembly.compile(moduleBytes(variant)));
  return variant;
}

/** The same as loadWasmKernels, compiling asynchronously (browser main thread). */
export async function loadWasmKernelsAsync(options: LoadWasmOptions = {}): Promise<WasmKernels> {
  const variant = resolveVariant(options);
  let mod = modules.get(variant);
  if (!mod) {
    mod = await WebAssembly.compile(moduleBytes(variant));
    modules.set(variant, mod);
  }
  return wrap(variant, await WebAssembly.instantiate(mod, {}));
}
