// The runtime, unchanged, in a browser: Debian's Chromium (driven by playwright-core, no browser download) loads
// the compiled ES modules of src/ straight from a tiny static server on 127.0.0.1 (an import map resolves the two
// bare imports, jsfive and fflate, to their ESM builds), fetches model files from the same server, and runs
// them through memoryFileSource -> load -> init -> compile -> predict / predictBatch. The outputs must equal
// Node's: bit-identical on the plain SIMD wasm back end and fast JS (same kernels, same engine family),
// within 1e-6 on relaxed SIMD (whose multiply-add may or may not be fused, engine by engine).
//
// Chromium is required: when /usr/bin/chromium (or $CHROMIUM_PATH) is missing the test FAILS, saying how to
// install it (CI does: .ci/run runs `apt-get install -y chromium`).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { load, memoryFileSource, type BackendName } from '../../src/index.js';
import { artifactsToFiles, foundingArtifacts, foundingModel } from '../../src/models/founding.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The compiled tree (dist/ or the --out folder): this file is <root>/test/browser/browser.test.js. */
const BUILD_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = resolve(process.cwd(), '../shared/models');

/** A package folder, looked up from the build root upwards (run-tests links node_modules beside --out builds). */
function packageDir(name: string): string {
  for (let d = BUILD_ROOT; ; d = dirname(d)) {
    const p = join(d, 'node_modules', name);
    if (existsSync(join(p, 'package.json'))) return realpathSync(p);
    if (dirname(d) === d) throw new Error(`package ${name} not found above ${BUILD_ROOT}`);
  }
}

const IMPORT_MAP = { imports: { jsfive: '/node_modules/jsfive/dist/esm/index.mjs', fflate: '/node_modules/fflate/esm/browser.js' } };
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>kerasrt browser test</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script></head><body></body></html>`;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.html': 'text/html' };

/** Serves the page, the compiled src/ tree, the two packages and the model files; nothing else. */
function startServer(models: ReadonlyMap<string, Uint8Array>): Promise<Server> {
  const roots: Record<string, string> = {
    '/dist/src/': join(BUILD_ROOT, 'src'),
    '/node_modules/jsfive/': packageDir('jsfive'),
    '/node_modules/fflate/': packageDir('fflate'),
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, body: string | Uint8Array, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send(200, PAGE, 'text/html');
    if (path.startsWith('/models/')) {
      const m = models.get(path.slice('/models/'.length));
      return m ? send(200, m, 'application/octet-stream') : send(404, 'no such model file');
    }
    for (const [prefix, dir] of Object.entries(roots)) {
      if (!path.startsWith(prefix)) continue;
      const file = resolve(dir, path.slice(prefix.length));
      if (!file.startsWith(dir + sep) || !TYPES[extname(file)] || !existsSync(file) || !statSync(file).isFile()) return send(404, 'not found');
      return send(200, readFileSync(file), TYPES[extname(file)]);
    }
    send(404, 'not found');
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** Deterministic inputs in [0, 1]: the same floats in Node and in the page (passed as numbers). */
function inputs(n: number, size: number, seed: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n * size; i++) out.push(Math.fround(((i * 7919 + seed * 104729) % 1000) / 999));
  return out;
}

interface ModelCase {
  readonly label: string;
  /** Main file name (the key in the server's models map) and the other files beside it. */
  readonly main: string;
  readonly files: readonly string[];
  readonly size: number;
  /** Which output to compare (multi-output models). */
  readonly output: number;
}

interface PageResult {
  readonly one: number[];
  readonly batch: number[];
  readonly describe: string;
}

test('kerasrt runs unchanged in Chromium and matches Node', { timeout: 240_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    assert.fail(`Chromium not found at ${CHROMIUM}: the browser test needs Debian's chromium package (apt-get update && apt-get install -y chromium; .ci/run does this), or CHROMIUM_PATH pointing at a Chromium binary`);
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    assert.fail(`playwright-core is not installed (npm ci installs it as a devDependency): ${(e as Error).message}`);
  }

  // Model files: a founding model as TF.js layers files (always), the TensorSpace Keras 2 HDF5 (jsfive in the
  // page) and a Keras 3 .keras zip (fflate in the page) when ../shared is there.
  const models = new Map<string, Uint8Array>();
  const cases: ModelCase[] = [];
  const expert = artifactsToFiles(foundingArtifacts(foundingModel('expert', { biases: 'uniform' })));
  for (const [k, v] of Object.entries(expert)) models.set(`expert/${k}`, v);
  cases.push({ label: 'founding expert (TF.js layers)', main: 'expert/model.json', files: ['expert/model.json', 'expert/weights.bin'], size: 784, output: 0 });
  const h5 = join(SHARED, 'keras-h5/tensorspace-keras-mnist/mnist.h5');
  if (existsSync(h5)) {
    models.set('tensorspace/mnist.h5', new Uint8Array(readFileSync(h5)));
    cases.push({ label: 'TensorSpace mnist.h5 (Keras 2.1.6 HDF5)', main: 'tensorspace/mnist.h5', files: ['tensorspace/mnist.h5'], size: 784, output: 0 });
  } else t.diagnostic(`${h5} missing: HDF5 case not run`);
  const kerasV3 = join(SHARED, 'keras-v3/kzarama-mnist-keras2.14');
  const kerasFile = join(kerasV3, 'mnist.keras');
  if (existsSync(kerasFile)) {
    // A plain Uint8Array copy: readFileSync's Buffer has slice() = view semantics.
    models.set('kzarama/mnist.keras', new Uint8Array(readFileSync(kerasFile)));
    cases.push({ label: 'kzarama mnist.keras (tf.keras 2.14 zip, 8x8 digits)', main: 'kzarama/mnist.keras', files: ['kzarama/mnist.keras'], size: 64, output: 0 });
  } else t.diagnostic('no .keras file in ../shared/models/keras-v3/kzarama-mnist-keras2.14: zip case not run');

  const backends: { name: BackendName; exact: boolean }[] = [
    { name: 'wasm-simd', exact: true },
    { name: 'wasm-relaxed', exact: false },
    { name: 'js', exact: true },
  ];
  const N = 3;

  const server = await startServer(models);
  const profile = mkdtempSync(join(tmpdir(), 'kerasrt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);

    // Engine features, and that sync compilation is refused on the main thread without init() (the reason
    // init exists).
    const env = await page.evaluate(async () => {
      const wasm = (await import('/dist/src/kernels/wasm/loader.js' as string)) as typeof import('../../src/kernels/wasm/loader.js');
      let syncError = '';
      try {
        wasm.loadWasmKernels({ variant: 'simd' });
      } catch (e) {
        syncError = String(e);
      }
      return { simd: wasm.simdSupported(), relaxed: wasm.relaxedSimdSupported(), syncError, ua: navigator.userAgent };
    });
    t.diagnostic(`${env.ua}; wasm SIMD ${env.simd}, relaxed SIMD ${env.relaxed}; sync compile before init: ${env.syncError || 'allowed'}`);
    assert.ok(env.simd, 'Chromium has WebAssembly SIMD');
    if (env.syncError) assert.match(env.syncError, /init\(\)/, 'the refusal names the fix');

    for (const c of cases) {
      const one = inputs(1, c.size, 1);
      const batch = inputs(N, c.size, 2);
      const files = Object.fromEntries(c.files.map((f) => [f.slice(f.indexOf('/') + 1), models.get(f)!]));
      const model = await load(memoryFileSource(c.main, files));
      for (const b of backends) {
        if (b.name === 'wasm-relaxed' && !env.relaxed) continue;
        const s = model.compile({ backend: b.name });
        const nodeOne = Array.from(s.run([Float32Array.from(one)])[c.output]);
        const nodeBatch = Array.from(s.runBatch([Float32Array.from(batch)], N)[c.output]);
        s.close();
        const got: PageResult = await page.evaluate(
          async ({ main, names, backend, one, batch, n, output }) => {
            const k = (await import('/dist/src/index.js' as string)) as typeof import('../../src/index.js');
            await k.init(backend);
            const files: Record<string, Uint8Array> = {};
            for (const f of names) files[f.slice(f.indexOf('/') + 1)] = new Uint8Array(await (await fetch(`/models/${f}`)).arrayBuffer());
            const model = await k.load(k.memoryFileSource(main, files));
            const s = model.compile({ backend });
            const r = {
              one: Array.from(s.run([Float32Array.from(one)])[output]),
              batch: Array.from(s.runBatch([Float32Array.from(batch)], n)[output]),
              describe: `${s.plan.backend}: ${s.plan.steps.map((st) => st.kernel).join(', ')}`,
            };
            s.close();
            return r;
          },
          { main: c.main, names: [...c.files], backend: b.name, one, batch, n: N, output: c.output },
        );
        t.diagnostic(`${c.label} / ${got.describe}`);
        const check = (g: number[], want: number[], what: string) => {
          assert.equal(g.length, want.length, `${c.label} ${b.name} ${what}: length`);
          for (let i = 0; i < want.length; i++) {
            if (b.exact) assert.ok(Object.is(g[i], want[i]), `${c.label} ${b.name} ${what}[${i}]: browser ${g[i]}, Node ${want[i]}`);
            else assert.ok(Math.abs(g[i] - want[i]) <= 1e-6, `${c.label} ${b.name} ${what}[${i}]: browser ${g[i]}, Node ${want[i]}`);
          }
        };
        check(got.one, nodeOne, 'predict');
        check(got.batch, nodeBatch, 'predictBatch');
      }
    }
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
