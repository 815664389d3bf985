// Picks the training kernels: 'wasm' (WebAssembly SIMD, src/train/wasm/) when the engine has SIMD, else 'js'.

import { jsKernels } from './js.js';
import type { TrainKernels } from './types.js';
import { wasmTrainKernels, wasmTrainSupported } from './wasm.js';

export type KernelsName = 'auto' | 'wasm' | 'js';

export function selectKernels(name: KernelsName = 'auto'): TrainKernels {
  if (name === 'js') return jsKernels;
  if (name === 'wasm' || wasmTrainSupported()) return wasmTrainKernels();
  return jsKernels;
}

export type { TrainKernels } from './types.js';
