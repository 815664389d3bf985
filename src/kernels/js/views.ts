// Binding helpers: a slot becomes a Float32Array view, made once at bind time (never per call).

import type { Slot } from '../../planner/plan.js';

export function viewOf(slot: Slot, arena: Float32Array): Float32Array {
  return slot.data ?? arena.subarray(slot.offset, slot.offset + slot.size);
}
