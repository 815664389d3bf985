// The JS back ends: "reference" (every op through its oracle) and "js" (fast, allocation-free JS kernels for
// every op; the reference fallback remains only for kernels whose supports() declines a step).
// Both run a plan as a list of closures bound to one Float32Array arena.

import type { ExecutionPlan, PlanStep } from '../../planner/plan.js';
import type { Backend, Executor, JsKernel } from '../abi.js';
import { conv2dJs, depthwiseConv2dJs } from './conv2d.js';
import { conv2dTransposeJs } from './conv2d-transpose.js';
import { denseJs } from './dense.js';
import { dotJs } from './dot.js';
import { activationJs, batchnormJs, binaryJs, preluJs } from './elementwise.js';
import { concatJs, embeddingJs, padJs, sliceJs, tileJs, transposeJs, upsample2dJs } from './layout.js';
import { layernormJs, softmaxJs } from './normalize.js';
import { pool2dJs } from './pool2d.js';
import { reduceJs } from './reduce.js';
import { aliasKernel, referenceKernel } from './reference-kernel.js';
import { gruJs, lstmJs, simpleRnnJs } from './rnn.js';

/**
 * Fast kernels, most specific first. Every op of the registry has one here (test/kernels/js-conformance.test.ts
 * checks it), so a "js" plan never falls back to the allocating reference kernel.
 */
export const JS_KERNELS: readonly JsKernel[] = [
  aliasKernel,
  denseJs,
  conv2dJs,
  depthwiseConv2dJs,
  conv2dTransposeJs,
  pool2dJs,
  activationJs,
  binaryJs,
  preluJs,
  batchnormJs,
  softmaxJs,
  layernormJs,
  reduceJs,
  transposeJs,
  padJs,
  sliceJs,
  concatJs,
  tileJs,
  upsample2dJs,
  embeddingJs,
  dotJs,
  simpleRnnJs,
  lstmJs,
  gruJs,
];

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
