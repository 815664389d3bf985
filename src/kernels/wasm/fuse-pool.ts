// Which conv + max pool pairs of a plan run as one step (Backend.fuse of the program back ends that declare
// ProgramFeatures.fusedMaxPool): a 2x2 / stride-2 / valid max pool right after a direct or Winograd F(4x4) conv
// whose output nothing else reads. The conv's kernel pools its register results (step-encoding-ext.ts F_POOL), so
// the conv output (4x the pooled size) is neither stored nor read back, and the pool step has no work of its own.
// Expert, wasm relaxed: conv1 + pool1 and conv2 + pool2, docs/kernels.md has the figures.

import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { Pool2dAttrs } from '../../ops/pool2d.js';
import type { PlanStep, Slot } from '../../planner/plan.js';
import type { StepFusion } from '../abi.js';
import { encodeActivation } from './program.js';
import { ACT_LINEAR, ACT_RELU, ACT_RELU6 } from './step-encoding.js';

/** The suffix of a conv kernel that runs the pool after it. */
export const MAXPOOL_SUFFIX = '+maxpool2x2';

/**
 * Longest K (kh*kw*cin) whose direct conv takes the pool: the direct kernel's short-K path (as/conv.ts SMALL_K),
 * where the pooled 2x2-pixel tile has the loads of the 2x16 tile it replaces. Longer K runs the 4x8 tile, unfused.
 */
const DIRECT_POOL_MAX_K = 64;

function isMaxPool2x2(s: PlanStep): boolean {
  if (s.node.op !== 'pool2d' || s.kernel !== 'wasm.pool2d') return false;
  const a = s.node.attrs as Pool2dAttrs;
  return a.type === 'max' && a.kernel[0] === 2 && a.kernel[1] === 2 && a.strides[0] === 2 && a.strides[1] === 2 && a.pads.every((p) => p === 0);
}

/** The conv kernels that can take the pool, for this step's shapes and activation. */
function convTakesPool(s: PlanStep): boolean {
  if (s.node.op !== 'conv2d') return false;
  const code = encodeActivation((s.node.attrs as Conv2dAttrs).activation).code;
  if (code !== ACT_LINEAR && code !== ACT_RELU && code !== ACT_RELU6) return false;
  const [kh, kw, cin, cout] = s.inputs[1].shape;
  // The kernels' channel multiples; other counts would pool through another pmax order in as/pool.ts.
  if (s.kernel === 'wasm.conv2d.winograd4') return cout % 4 === 0;
  if (s.kernel === 'wasm.conv2d.direct') return cout % 8 === 0 && kh * kw * cin <= DIRECT_POOL_MAX_K;
  return false;
}

/** Conv steps that absorb the max pool after them. */
export function fuseConvPools(steps: readonly PlanStep[], outputs: readonly Slot[]): StepFusion[] {
  const reads = new Map<number, number>();
  const read = (v: number) => reads.set(v, (reads.get(v) ?? 0) + 1);
  for (const s of steps) for (const i of s.inputs) read(i.value);
  for (const o of outputs) read(o.value);
  const fusions: StepFusion[] = [];
  for (let i = 0; i + 1 < steps.length; i++) {
    const conv = steps[i], pool = steps[i + 1];
    const y = conv.outputs[0].value;
    if (!convTakesPool(conv) || !isMaxPool2x2(pool) || pool.inputs[0].value !== y || reads.get(y) !== 1) continue;
    fusions.push({ step: i, kernel: conv.kernel + MAXPOOL_SUFFIX });
    i++;
  }
  return fusions;
}
