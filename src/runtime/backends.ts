// Back-end selection by name. "auto" picks the fastest back end available in this runtime.

import { UsageError } from '../core/errors.js';
import type { Backend } from '../kernels/abi.js';
import { jsBackend, referenceBackend } from '../kernels/js/backend.js';

export type BackendName = 'auto' | 'reference' | 'js';

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'reference', 'js'];

export function resolveBackend(name: BackendName = 'auto'): Backend {
  switch (name) {
    case 'reference':
      return referenceBackend;
    case 'js':
    case 'auto':
      return jsBackend;
    default:
      throw new UsageError(`unknown backend "${String(name)}"; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
}
