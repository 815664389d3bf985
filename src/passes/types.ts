// A pass is a pure function Graph -> Graph. It reports what it changed through `log` (one line per change),
// which `kerasrt inspect` shows as "what the compiler removed or fused".

import type { Graph } from '../ir/graph.js';

export type PassLog = (change: string) => void;

export interface Pass {
  /** kebab-case name, used by `kerasrt inspect --dump-after <name>`. */
  readonly name: string;
  readonly description: string;
  run(g: Graph, log: PassLog): Graph;
}
