// Back-end selection by name. "auto" picks the fastest back end available in this runtime: the native addon in
// Node when it is built with AVX2 or AVX-512 kernels (measured faster than wasm on all three founding models:
// native/README.md), else
// WebAssembly with relaxed SIMD (FMA) where the engine has it, plain WebAssembly SIMD otherwise, fast JS without SIMD.

import { UsageError } from '../core/errors.js';
import type { Backend } from '../kernels/abi.js';
import { jsBackend, referenceBackend } from '../kernels/js/backend.js';
import { makeWasmBackend } from '../kernels/wasm/backend.js';
import { compileWasmKernels, relaxedSimdSupported, simdSupported } from '../kernels/wasm/loader.js';
import { makeNativeBackend } from '../kernels/native/backend.js';
import { nativeAvailable, nativePreferred, nativeUnavailableReason } from '../kernels/native/loader.js';
import { makeThreadsBackend, threadsAvailable } from './threads.js';

export type BackendName = 'auto' | 'reference' | 'js' | 'wasm' | 'wasm-simd' | 'wasm-relaxed' | 'wasm-threads' | 'native';

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'reference', 'js', 'wasm', 'wasm-simd', 'wasm-relaxed', 'wasm-threads', 'native'];

let simd: Backend | undefined;
let relaxed: Backend | undefined;
let native: Backend | undefined;
let threaded: Backend | undefined;

/** Whether a back end can run here (wasm variants need engine support). */
export function backendAvailable(name: BackendName): boolean {
  switch (name) {
    case 'wasm-simd':
    case 'wasm':
      return simdSupported();
    case 'wasm-relaxed':
      return relaxedSimdSupported();
    case 'native':
      return nativeAvailable();
    case 'wasm-threads':
      return simdSupported() && threadsAvailable();
    default:
      return BACKEND_NAMES.includes(name);
  }
}

export function resolveBackend(name: BackendName = 'auto'): Backend {
  switch (name) {
    case 'reference':
      return referenceBackend;
    case 'js':
      return jsBackend;
    case 'wasm-simd':
      if (!simdSupported()) throw new UsageError('backend "wasm-simd": this JavaScript engine has no WebAssembly SIMD');
      return (simd ??= makeWasmBackend('simd'));
    case 'wasm-relaxed':
      if (!relaxedSimdSupported()) throw new UsageError('backend "wasm-relaxed": this JavaScript engine has no WebAssembly relaxed SIMD');
      return (relaxed ??= makeWasmBackend('relaxed'));
    case 'native':
      if (!nativeAvailable()) throw new UsageError(`backend "native": ${nativeUnavailableReason()}`);
      return (native ??= makeNativeBackend());
    case 'wasm':
      return resolveBackend(relaxedSimdSupported() ? 'wasm-relaxed' : 'wasm-simd');
    case 'wasm-threads':
      // The "wasm" kernels (relaxed SIMD where the engine has it), plus worker threads for large predictBatch
      // calls (src/runtime/threads.ts); single samples stay on the calling thread.
      if (!simdSupported()) throw new UsageError('backend "wasm-threads": this JavaScript engine has no WebAssembly SIMD');
      if (!threadsAvailable()) throw new UsageError('backend "wasm-threads": needs Node worker threads, SharedArrayBuffer and Atomics.wait');
      return (threaded ??= makeThreadsBackend(relaxedSimdSupported() ? 'relaxed' : 'simd'));
    case 'auto':
      if (nativePreferred()) return resolveBackend('native');
      return simdSupported() ? resolveBackend('wasm') : jsBackend;
    default:
      throw new UsageError(`unknown backend "${String(name)}"; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
}

/**
 * Gets a back end ready before compile(): compiles the WebAssembly kernels it needs asynchronously (once per
 * process), so compile() only instantiates them. Required in browsers before compiling on the main thread
 * (Chrome refuses to compile modules over 4 KiB synchronously there); optional in Node. Back ends without wasm
 * need nothing.
 */
export async function initBackend(name: BackendName = 'auto'): Promise<void> {
  switch (name) {
    case 'wasm-simd':
      await compileWasmKernels({ variant: 'simd' });
      return;
    case 'wasm-relaxed':
      await compileWasmKernels({ variant: 'relaxed' });
      return;
    case 'auto':
    case 'wasm':
    case 'wasm-threads':
      if (simdSupported()) await compileWasmKernels({ variant: 'auto' });
      return;
    default:
      resolveBackend(name); // unknown names throw here, as in compile()
  }
}
