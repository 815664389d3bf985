// One cold start, in its own process (spawned by bench/steady-state.ts): import kerasrt, load a model file from
// disk, compile it for one back end, run one prediction. A fresh process is the honest measure of what a user's
// program pays the first time: no module, wasm compilation or packed weights left over from an earlier load.
// It then loads and compiles the same file again in this process (the cost when kerasrt is already warm).
//
//   node dist/bench/load-compile-child.js <model file> <backend>   -> one line of JSON on stdout

import type { BackendName } from '../src/runtime/backends.js';

const t0 = performance.now();
const { load } = await import('../src/index.js');
const tImport = performance.now();

const [file, backend] = process.argv.slice(2);
if (!file || !backend) {
  console.error('usage: load-compile-child <model file> <backend>');
  process.exit(2);
}
const t1 = performance.now();
const model = await load(file);
const t2 = performance.now();
const session = model.compile({ backend: backend as BackendName });
const t3 = performance.now();
session.predict(new Float32Array(session.inputSizes[0]));
const t4 = performance.now();
session.close();

const again0 = performance.now();
const model2 = await load(file);
const again1 = performance.now();
const session2 = model2.compile({ backend: backend as BackendName });
const again2 = performance.now();
session2.close();

console.log(
  JSON.stringify({
    importMs: tImport - t0,
    loadMs: t2 - t1,
    compileMs: t3 - t2,
    firstPredictMs: t4 - t3,
    backend: session.backend.name,
    warmLoadMs: again1 - again0,
    warmCompileMs: again2 - again1,
  }),
);
