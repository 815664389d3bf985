// The compiler's passes, in the order they run: a literal, named list (see docs/architecture.md).

import { UsageError } from '../core/errors.js';
import type { Graph } from '../ir/graph.js';
import { verify } from '../ir/verify.js';
import { cancelTransposes } from './cancel-transposes.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { foldConstants } from './fold-constants.js';
import { fuseActivation } from './fuse-activation.js';
import { fuseBias } from './fuse-bias.js';
import { lowerBatchnorm } from './lower-batchnorm.js';
import { removeDead } from './remove-dead.js';
import { removeIdentity } from './remove-identity.js';
import { removeTrainingOnly } from './remove-training-only.js';
import type { Pass } from './types.js';

export const PIPELINE: readonly Pass[] = [
  removeTrainingOnly,
  removeIdentity,
  cancelTransposes,
  fuseBias,
  foldBatchnorm,
  lowerBatchnorm,
  fuseActivation,
  foldConstants,
  removeDead,
];

export interface PassReport {
  readonly pass: string;
  readonly changes: readonly string[];
  readonly nodesBefore: number;
  readonly nodesAfter: number;
}

export interface OptimizeOptions {
  /** Stop after this pass (for `inspect --dump-after`). */
  readonly until?: string;
  /** Run verify() after every pass (tests do; it costs a shape re-inference per pass). */
  readonly verifyEach?: boolean;
}

export function optimize(graph: Graph, opts: OptimizeOptions = {}): { graph: Graph; reports: PassReport[] } {
  if (opts.until !== undefined && !PIPELINE.some((p) => p.name === opts.until)) {
    throw new UsageError(`unknown pass "${opts.until}"; passes: ${PIPELINE.map((p) => p.name).join(', ')}`);
  }
  let g = graph;
  const reports: PassReport[] = [];
  for (const pass of PIPELINE) {
    const changes: string[] = [];
    const before = g.nodes.length;
    g = pass.run(g, (c) => changes.push(c));
    if (opts.verifyEach) verify(g);
    reports.push({ pass: pass.name, changes, nodesBefore: before, nodesAfter: g.nodes.length });
    if (pass.name === opts.until) break;
  }
  return { graph: g, reports };
}
