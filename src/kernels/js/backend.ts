// The JS back ends: "reference" (every op through its oracle) and "js" (fast JS kernels, reference fallback
// for ops it lacks). Both run a plan as a list of closures bound to one Float32Array arena.

import type { ExecutionPlan, PlanStep } from '../../planner/plan.js';
import type { Backend, Executor, JsKernel } from '../abi.js';
import { conv2dJs, depthwiseConv2dJs } from './conv2d.js';
import { denseJs } from './dense.js';
import { activationJs, binaryJs, softmaxJs } from './elementwise.js';
import { pool2dJs } from './pool2d.js';
import { aliasKernel, referenceKernel } from './reference-kernel.js';

/** Fast kernels, most specific first. */
const JS_KERNELS: readonly JsKernel[] = [aliasKernel, denseJs, conv2dJs, depthwiseConv2dJs, pool2dJs, activationJs, binaryJs, softmaxJs];

/** The fast JS kernel for a step, or the reference kernel when none applies (also used by the wasm back end). */
export function pickJsKernel(step: Omit<PlanStep, 'kernel'>, kernels: readonly JsKernel[] = JS_KERNELS): JsKernel {
  return kernels.find((k) => k.supports(step)) ?? referenceKernel;
}

/** The kernel-name recorded in a plan for a JS kernel. */
export function jsKernelName(k: JsKernel, step: Omit<PlanStep, 'kernel'>): string {
  return k === referenceKernel ? `reference.${step.node.op}` : k.name;
}

function makeJsBackend(name: string, kernels: readonly JsKernel[]): Backend {
  const byName = new Map(kernels.map((k) => [k.name, k]));
  const pick = (step: Omit<PlanStep, 'kernel'>): JsKernel => pickJsKernel(step, kernels);
  return {
    name,
    chooseKernel(step) {
      return jsKernelName(pick(step), step);
    },
    prepare(plan: ExecutionPlan): Executor {
      const arena = new Float32Array(plan.arenaSize);
      const runs = plan.steps.map((s) => (byName.get(s.kernel) ?? referenceKernel).bind(s, arena));
      const view = (slot: ExecutionPlan['inputs'][number]) => slot.data ?? arena.subarray(slot.offset, slot.offset + slot.size);
      const ins = plan.inputs.map(view);
      const outs = plan.outputs.map(view);
      return {
        inputView: (i) => ins[i],
        outputView: (i) => outs[i],
        run() {
          for (let i = 0; i < runs.length; i++) runs[i]();
        },
        dispose() {},
      };
    },
  };
}

export const referenceBackend: Backend = makeJsBackend('reference', [aliasKernel]);
export const jsBackend: Backend = makeJsBackend('js', JS_KERNELS);
