// Back-end selection by name. "auto" picks the fastest back end available in this runtime: WebAssembly
// with relaxed SIMD (FMA) where the engine has it, plain WebAssembly SIMD otherwise, fast JS without SIMD.

import { UsageError } from '../core/errors.js';
import type { Backend } from '../kernels/abi.js';
import { jsBackend, referenceBackend } from '../kernels/js/backend.js';
import { makeWasmBackend } from '../kernels/wasm/backend.js';
import { relaxedSimdSupported, simdSupported } from '../kernels/wasm/loader.js';

export type BackendName = 'auto' | 'reference' | 'js' | 'wasm' | 'wasm-simd' | 'wasm-relaxed';

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'reference', 'js', 'wasm', 'wasm-simd', 'wasm-relaxed'];

let simd: Backend | undefined;
let relaxed: Backend | undefined;

/** Whether a back end can run here (wasm variants need engine support). */
export function backendAvailable(name: BackendName): boolean {
  switch (name) {
    case 'wasm-simd':
    case 'wasm':
      return simdSupported();
    case 'wasm-relaxed':
      return relaxedSimdSupported();
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
    case 'wasm':
      return resolveBackend(relaxedSimdSupported() ? 'wasm-relaxed' : 'wasm-simd');
    case 'auto':
      return simdSupported() ? resolveBackend('wasm') : jsBackend;
    default:
      throw new UsageError(`unknown backend "${String(name)}"; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
}
