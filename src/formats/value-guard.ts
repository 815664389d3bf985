// The shape-bomb check every importer shares: each graph value's shape (inputs, constants, every node's
// outputs) against maxRank / maxTensorElements as soon as it is created, so a file that makes a huge value
// (an input of 10^12 elements, RepeatVector(1e9), a Reshape / Tile / Pad to a huge size) is refused at import,
// long before the planner would allocate it.

import { checkTensorShape, type Limits } from '../core/limits.js';
import type { GraphBuilder } from '../ir/builder.js';

export class ValueShapeGuard {
  /** Values 0 .. checked - 1 have been checked (ids are sequential). */
  private checked = 0;

  constructor(
    private readonly b: GraphBuilder,
    private readonly limits: Limits,
    private readonly file: string,
  ) {}

  /** Checks every value created since the last call; `where` names the layer or node that made them. */
  check(where: string): void {
    // Advance before checking: a translation that tolerates a failed node (the GraphDef probe) goes on
    // without being blamed for it again.
    while (this.checked < this.b.valueCount) {
      const v = this.b.value(this.checked++);
      checkTensorShape(v.shape, this.limits, `value "${v.name}"`, { file: this.file, where });
    }
  }
}
