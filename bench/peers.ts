// The peers kerasrt is compared with (TF.js, its wasm back end, onnxruntime-node) are optional: they are
// imported dynamically, and a missing one becomes a clear message and "n/a" rows, never a crash.

import type * as Tfjs from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';

export type Tf = typeof Tfjs;
export type OrtModule = typeof Ort;

export type Peer<T> = { readonly ok: true; readonly module: T; readonly version: string } | { readonly ok: false; readonly reason: string };

function missing(pkg: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return `peer ${pkg} is not installed (npm install --save-dev ${pkg})`;
  return `peer ${pkg} failed to load: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}`;
}

let tfPeer: Promise<Peer<Tf>> | undefined;
let tfWasmPeer: Promise<Peer<Tf>> | undefined;
let ortPeer: Promise<Peer<OrtModule>> | undefined;

/** @tensorflow/tfjs, in production mode (what its docs advise for deployment; also silences its Node banner). */
export function loadTfjs(): Promise<Peer<Tf>> {
  tfPeer ??= (async (): Promise<Peer<Tf>> => {
    try {
      const tf = (await import('@tensorflow/tfjs')) as Tf;
      tf.enableProdMode();
      return { ok: true, module: tf, version: tf.version.tfjs };
    } catch (e) {
      return { ok: false, reason: missing('@tensorflow/tfjs', e) };
    }
  })();
  return tfPeer;
}

/** @tensorflow/tfjs-backend-wasm registered into TF.js (needs loadTfjs to succeed first). */
export function loadTfjsWasm(): Promise<Peer<Tf>> {
  tfWasmPeer ??= (async (): Promise<Peer<Tf>> => {
    const tf = await loadTfjs();
    if (!tf.ok) return tf;
    try {
      const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { version_wasm: string };
      return { ok: true, module: tf.module, version: wasm.version_wasm };
    } catch (e) {
      return { ok: false, reason: missing('@tensorflow/tfjs-backend-wasm', e) };
    }
  })();
  return tfWasmPeer;
}

export function loadOrt(): Promise<Peer<OrtModule>> {
  ortPeer ??= (async (): Promise<Peer<OrtModule>> => {
    try {
      const ort = (await import('onnxruntime-node')) as OrtModule;
      return { ok: true, module: ort, version: ort.env.versions?.node ?? ort.env.versions?.common ?? '?' };
    } catch (e) {
      return { ok: false, reason: missing('onnxruntime-node', e) };
    }
  })();
  return ortPeer;
}
