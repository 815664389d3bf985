// Loads the native back end's Node-API addon (native/, built by scripts/build-native.mjs into
// build/Release/kerasrt_native.node) lazily, and wraps it as a WasmKernels-compatible object: WasmProgram encodes
// the same step records into a JS-created WebAssembly.Memory, and `exports.run(program, steps)` hands that
// memory's ArrayBuffer to the addon, which interprets the records natively (AVX-512 / AVX2+FMA / portable C++,
// picked from CPUID). One call into the addon per prediction (per segment), no copies, no allocation.
//
// Browser-safe: Node built-ins are reached only through process.getBuiltinModule (like the wasm loader's
// node:v8), so bundlers never see a require of node:module or of the .node file; outside Node everything here
// reports "unavailable".

import { InternalError, UnsupportedFeatureError, UsageError } from '../../core/errors.js';
import { WasmAllocator, type WasmKernelExports, type WasmKernels } from '../wasm/loader.js';
import * as STEP_FORMAT from '../wasm/step-encoding.js';

/** The compiled kernel sets: portable C++, AVX2 + FMA (8 lanes), AVX-512F (16 lanes). */
export type NativeIsa = 'generic' | 'avx2' | 'avx512';

interface NativeKernelSet {
  run(buffer: ArrayBuffer, program: number, steps: number): number;
  peakGflops(iters: number): number;
}

/** What build/Release/kerasrt_native.node exports (native/src/addon.cc). */
export interface NativeAddon {
  /** The sets this CPU can run. */
  readonly kernels: Partial<Record<NativeIsa, NativeKernelSet>>;
  /** The fastest of them (chosen from CPUID when the addon loaded). */
  readonly best: NativeIsa;
  /** -1 when every operand of steps [program, program + steps) lies inside the buffer, else the first bad step. */
  validate(buffer: ArrayBuffer, program: number, steps: number): number;
  threads(): number;
  setThreads(n: number): number;
  /** The program-format constants the addon was compiled with (must equal step-encoding.ts). */
  constants(): Record<string, number>;
  /** Compile-time packing (native/src/pack.cc), as the wasm module's (WasmKernelExports); RangeError when out of range. */
  packPanelRows(buffer: ArrayBuffer, src: number, dst: number, K: number, N: number, k0: number, k1: number): void;
  winogradPack(buffer: ArrayBuffer, src: number, dst: number, g: number, tmp: number, r: number, t: number, cin: number, cout: number): void;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return undefined;
  return proc.getBuiltinModule(id) as T | undefined;
}

const ADDON_PATH = ['build', 'Release', 'kerasrt_native.node'];

/**
 * Where the addon is: build/Release/ of the package root, found by walking up from this module (dist/src/... in
 * the repo, node_modules/kerasrt/dist/src/... when installed). A compiled copy elsewhere (tests built with
 * `--out DIR`) finds the repo through the node_modules link that run-tests.mjs puts beside it.
 */
function findAddon(): { file?: string; skipped?: string } {
  const fs = builtin<typeof import('node:fs')>('node:fs');
  const path = builtin<typeof import('node:path')>('node:path');
  const url = builtin<typeof import('node:url')>('node:url');
  if (!fs || !path || !url) return {};
  let dir = path.dirname(url.fileURLToPath(import.meta.url));
  for (;;) {
    const roots = [dir];
    const nm = path.join(dir, 'node_modules');
    try {
      if (fs.lstatSync(nm).isSymbolicLink()) roots.push(path.dirname(fs.realpathSync(nm)));
    } catch {
      // no node_modules here
    }
    for (const r of roots) {
      const p = path.join(r, ...ADDON_PATH);
      if (fs.existsSync(p)) return { file: p };
      // scripts/build-native.mjs leaves the reason it could not build beside where the addon would be.
      const why = path.join(path.dirname(p), 'kerasrt_native.skipped');
      if (fs.existsSync(why)) return { skipped: fs.readFileSync(why, 'utf8').trim() };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return {};
    dir = parent;
  }
}

let loaded: { addon?: NativeAddon; reason?: string } | undefined;

function load(): { addon?: NativeAddon; reason?: string } {
  if (loaded) return loaded;
  const mod = builtin<typeof import('node:module')>('node:module');
  if (!mod) return (loaded = { reason: 'not running in Node.js (>= 20.16)' });
  const { file, skipped } = findAddon();
  if (skipped) return (loaded = { reason: `the addon could not be built here: ${skipped}` });
  if (!file) return (loaded = { reason: 'the addon is not built (npm run build; see scripts/build-native.mjs)' });
  try {
    const addon = mod.createRequire(import.meta.url)(file) as NativeAddon;
    if (typeof addon?.validate !== 'function' || !addon.kernels?.[addon.best]) return (loaded = { reason: `${file} is not a kerasrt addon` });
    // A stale build for another program format must never interpret this one's records.
    const built = addon.constants();
    const stale = Object.entries(STEP_FORMAT).find(([k, v]) => typeof v === 'number' && built[k] !== v);
    if (stale) return (loaded = { reason: `${file} was built for another program format (${stale[0]}); rebuild with npm run build` });
    return (loaded = { addon });
  } catch (e) {
    return (loaded = { reason: `${file} failed to load: ${(e as Error).message.split('\n')[0]}` });
  }
}

/** The addon, or undefined when it is not built / not loadable / not in Node (see nativeUnavailableReason). */
export function nativeAddon(): NativeAddon | undefined {
  return load().addon;
}

/** Whether the native back end can run here. */
export function nativeAvailable(): boolean {
  return load().addon !== undefined;
}

/**
 * Whether "auto" should pick the native back end: it is available and has a SIMD kernel set (AVX2 or AVX-512).
 * The portable set (e.g. on arm64) is slower than WebAssembly SIMD (bench/native-gemm.ts: 25 vs 45 GFLOP/s on
 * the founding convs), so there "auto" stays on wasm.
 */
export function nativePreferred(): boolean {
  const a = load().addon;
  return a !== undefined && a.best !== 'generic';
}

/** Why the native back end is unavailable (undefined when it is available). */
export function nativeUnavailableReason(): string | undefined {
  return load().reason;
}

/** Kernel sets this CPU runs, slowest first. */
export function nativeIsas(): NativeIsa[] {
  const a = nativeAddon();
  return a ? (['generic', 'avx2', 'avx512'] as const).filter((n) => a.kernels[n] !== undefined) : [];
}

/** Threads the addon's pool uses for batch steps (single-sample steps always run on the calling thread). */
export function nativeThreads(): number {
  return requireAddon().threads();
}

/** Sets the batch thread count (1 disables threading); returns the value in effect. Process-wide. */
export function setNativeThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`native threads must be a whole number >= 1, got ${n}`);
  return requireAddon().setThreads(n);
}

function requireAddon(): NativeAddon {
  const { addon, reason } = load();
  if (!addon) throw new UnsupportedFeatureError(`native back end unavailable: ${reason}`);
  return addon;
}

export interface LoadNativeOptions {
  /** Which kernel set; 'auto' (default) takes the fastest this CPU supports. */
  readonly isa?: NativeIsa | 'auto';
}

/** First byte the allocator hands out (the addon has no static data in the memory; 0 stays "none"). */
const HEAP_BASE = 1024;
const PAGE = 65536;
const LANES: Record<NativeIsa, number> = { generic: 8, avx2: 8, avx512: 16 };

/**
 * A WebAssembly.Memory that remembers its current ArrayBuffer: grow() detaches the old one, and run() must not
 * pay for the `buffer` getter on every call.
 */
class NativeMemory extends WebAssembly.Memory {
  current: ArrayBuffer;
  constructor(descriptor: WebAssembly.MemoryDescriptor) {
    super(descriptor);
    this.current = this.buffer;
  }
  override grow(delta: number): number {
    const r = super.grow(delta);
    this.current = this.buffer;
    return r;
  }
}

/** A WasmKernels whose run() is the addon: WasmProgram and makeProgramBackend drive it unchanged. */
export interface NativeKernels extends WasmKernels {
  readonly isa: NativeIsa;
}

/**
 * A fresh instance (its own memory and allocator): one per Session, like loadWasmKernels(). Each program is
 * validated once (every operand range inside the memory) before its first run; native code has no linear-memory
 * bounds to fall back on.
 */
export function loadNativeKernels(options: LoadNativeOptions = {}): NativeKernels {
  const addon = requireAddon();
  const want = options.isa ?? 'auto';
  const isa: NativeIsa = want === 'auto' ? addon.best : want;
  const ks = addon.kernels[isa];
  if (!ks) throw new UnsupportedFeatureError(`native kernel set "${isa}" is not supported on this CPU (have: ${nativeIsas().join(', ')})`);
  const memory = new NativeMemory({ initial: 1, maximum: 65536 });
  const checked = new Set<number>();
  let lastProgram = -1;
  let lastSteps = -1;
  const check = (program: number, steps: number): void => {
    const key = program * 1048576 + steps;
    if (!checked.has(key)) {
      const bad = addon.validate(memory.current, program, steps);
      if (bad >= 0) throw new InternalError(`native program at ${program}: step ${bad} reaches outside the ${memory.current.byteLength}-byte memory`);
      if (steps < 1048576) checked.add(key);
    }
    lastProgram = program;
    lastSteps = steps;
  };
  const lanes = LANES[isa];
  const exports: WasmKernelExports = {
    memory,
    run(program: number, steps: number): number {
      if (program !== lastProgram || steps !== lastSteps) check(program, steps);
      return ks.run(memory.current, program, steps);
    },
    heapBase: () => HEAP_BASE,
    // Fused multiply-add numerics, as the relaxed wasm build (one rounding per multiply-add).
    isRelaxed: () => 1,
    packPanelRows: (src, dst, K, N, k0, k1) => addon.packPanelRows(memory.current, src, dst, K, N, k0, k1),
    winogradPack: (src, dst, g, tmp, r, t, cin, cout) => addon.winogradPack(memory.current, src, dst, g, tmp, r, t, cin, cout),
    peakFma(iters: number): number {
      // About iters x 72 flops like the wasm probe, on the native register loop (12 chains x lanes x 2 per round).
      ks.peakGflops(Math.max(1, Math.round((iters * 72) / (24 * lanes))));
      return 0;
    },
  };
  const allocator = new WasmAllocator(memory, HEAP_BASE);
  if (memory.current.byteLength < PAGE) throw new InternalError('native memory: bad initial size');
  // WasmKernels.variant names the wasm build; the native sets compute like the relaxed one (fused multiply-add).
  return { variant: 'relaxed', exports, memory, allocator, isa };
}
