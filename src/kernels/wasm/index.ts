// WebAssembly SIMD kernels: loader (sync instantiation, SIMD / relaxed-SIMD pick), and the program encoder a
// planner drives. Format of programs: ./step-encoding.ts. Sources: ./as/ (AssemblyScript), built by
// scripts/build-wasm.mjs into ./generated/ (base64, git-ignored).
export {
  loadWasmKernels,
  loadWasmKernelsAsync,
  compileWasmKernels,
  simdSupported,
  relaxedSimdSupported,
  WasmAllocator,
  type WasmKernels,
  type WasmKernelExports,
  type WasmVariant,
  type LoadWasmOptions,
} from './loader.js';
export {
  WasmProgram,
  WasmConstant,
  PackedWeights,
  DepthwiseWeights,
  WinogradWeights,
  WINOGRAD_TILES,
  winogradScratchBytes,
  packPanels,
  packedSize,
  encodeActivation,
  chooseConvMethod,
  windowOutputShape,
  type Operand,
  type DenseStep,
  type Conv2dStep,
  type DepthwiseConv2dStep,
  type Pool2dStep,
  type SoftmaxStep,
  type BinaryStep,
  type ActivationStep,
  type CopyStep,
  type BinaryMode,
  type ConvMethod,
  type WasmProgramOptions,
  type WasmProgramLayout,
} from './program.js';
export { WINOGRAD, WINOGRAD_F4, winogradApplies, winogradKernel, winogradMatrices, type WinogradSize, type WinogradTile, type WinogradMatrices } from './winograd.js';
