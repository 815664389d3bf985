// Winograd conv (OP_CONV2D_WINOGRAD: F(2x2, 3x3), F(2x2, 5x5); OP_CONV2D_WINOGRAD_F4: F(4x4, 3x3)) on the native
// back end's kernel sets (every set this CPU supports): the cases and tolerances of winograd-conformance.ts (those
// winograd.test.ts runs on wasm). Skipped, with the reason printed, only when the addon is not built.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNativeKernels, nativeIsas, nativeUnavailableReason, type NativeIsa } from '../../src/kernels/native/loader.js';
import { winogradConformance } from './winograd-conformance.js';

const VARIANTS: NativeIsa[] = nativeIsas();
const SKIP = VARIANTS.length === 0 ? `native addon unavailable: ${nativeUnavailableReason()}` : false;
if (SKIP) console.log(`# native Winograd tests skipped: ${SKIP}`);
test('native addon is built and loads', { skip: SKIP }, () => assert.ok(VARIANTS.length > 0));

winogradConformance({ name: 'native', variants: VARIANTS, load: (isa) => loadNativeKernels({ isa }), tiles: [2, 4] });
