// The native back end ("native"): the wasm program back end (makeProgramBackend) over the Node-API addon's
// kernels instead of a wasm instance: same plan, same step records, same memory layout, JS kernels between
// segments for ops the interpreter lacks. Kernel names read "native.*" in plans (kerasrt inspect / bench) so it is
// visible which steps ran in the addon.

import type { ExecutionPlan } from '../../planner/plan.js';
import type { Backend } from '../abi.js';
import { makeProgramBackend, type ProgramFeatures } from '../wasm/backend.js';
import { loadNativeKernels, type LoadNativeOptions } from './loader.js';

const WASM = 'wasm.';
const NATIVE = 'native.';

/**
 * What the addon's interpreter implements beyond the base format: Winograd convs (OP_CONV2D_WINOGRAD, and
 * OP_CONV2D_WINOGRAD_F4: expert's 14x14x32 3x3 -> 32 at batch 64, one thread, 19.5 vs 22.1 us per image against
 * F(2x2, 3x3); bench/conv-profile.ts --engine native), and a
 * direct conv that reads window rows as contiguous spans of a padded copy, so thin-input convs go direct too
 * (bench/native-gemm.ts: 14x14x32 3x3 -> 32: Winograd 21.6 us vs direct 36.9 us; 5x5 -> 64: 93 vs 196 us;
 * 28x28x1 3x3 -> 32: direct 10.9 us vs im2col 16.4 us before the addon routed thin im2col steps to it).
 */
export const NATIVE_FEATURES: ProgramFeatures = { winograd: true, winogradF4: true, contiguousDirect: true };

/** The plan with its "native.*" kernels renamed to the "wasm.*" step kinds the program encoder recognises. */
export function toProgramPlan(plan: ExecutionPlan): ExecutionPlan {
  const steps = plan.steps.map((s) => (s.kernel.startsWith(NATIVE) ? { ...s, kernel: WASM + s.kernel.slice(NATIVE.length) } : s));
  return { ...plan, steps };
}

export function makeNativeBackend(options: LoadNativeOptions = {}, name = 'native'): Backend {
  const inner = makeProgramBackend(name, () => loadNativeKernels(options), NATIVE_FEATURES);
  return {
    name,
    chooseKernel(step) {
      const k = inner.chooseKernel(step);
      return k.startsWith(WASM) ? NATIVE + k.slice(WASM.length) : k;
    },
    prepare(plan: ExecutionPlan) {
      return inner.prepare(toProgramPlan(plan));
    },
  };
}
