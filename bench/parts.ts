/**
 * The parts of a synthesis, measured in one warm process (minimum of 5 repetitions, so a busy
 * machine disturbs them less than the whole-process runs of `run.ts`):
 *
 *   node --expose-gc -r ts-node/register/transpile-only bench/parts.ts [namespaces] [variant]
 *
 * prints what the estate keeps alive per namespace after building (heap), the build, and the
 * synth-time verification's parts: the whole computation as a chart validation runs it, the
 * `toJson()` snapshot of every object, the lint, and the NetworkModel's build.
 */
import { ApiObject, App } from 'cdk8s';
import { buildEstate, Variant, VARIANTS } from './estate';
import { Linter } from '../src/analysis/lint/linter';
import { NetworkModel } from '../src/analysis/model';
import { AppRevision } from '../src/synth/app-revision';

const namespaces = Number(process.argv[2] ?? 300);
const variant = (process.argv[3] ?? 'netpol') as Variant;
if (!VARIANTS.includes(variant) || !Number.isInteger(namespaces) || namespaces < 1) {
  throw new Error(`usage: parts.ts [namespaces] [${VARIANTS.join('|')}]`);
}
const gc = (globalThis as { gc?: () => void }).gc;
const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const min = (values: number[]) => Math.min(...values).toFixed(1);

let heapKb: string = 'n/a (run node with --expose-gc)';
const builds: number[] = [];
let app!: App;
for (let round = 0; round < 5; round++) {
  // The heap is measured on the first estate: the process holds nothing else of ours yet.
  gc?.();
  const before = process.memoryUsage().heapUsed;
  app = new App({ outdir: 'dist/bench/parts' });
  const start = process.hrtime.bigint();
  buildEstate(app, variant, namespaces);
  builds.push(since(start));
  if (gc && round === 0) {
    gc();
    heapKb = ((process.memoryUsage().heapUsed - before) / namespaces / 1024).toFixed(1);
  }
}

const parts: Record<string, number[]> = { verification: [], snapshot: [], lint: [], model: [] };
const chart = app.charts[0];
for (let round = 0; round < 5; round++) {
  // A new revision of the app makes the next validation compute everything again, as a first
  // synthesis does.
  AppRevision.of(app).revise();
  let start = process.hrtime.bigint();
  const errors = chart.node.validate();
  parts.verification.push(since(start));
  if (errors.length > 0) {
    throw new Error(`the estate does not verify:\n${errors.join('\n')}`);
  }
  start = process.hrtime.bigint();
  const jsons = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
  parts.snapshot.push(since(start));
  start = process.hrtime.bigint();
  new Linter().lint(jsons);
  parts.lint.push(since(start));
  start = process.hrtime.bigint();
  NetworkModel.fromManifests(jsons);
  parts.model.push(since(start));
}

console.log(`${variant}, ${namespaces} namespaces: heap ${heapKb} KB per namespace, build ${min(builds)} ms, ` +
  Object.entries(parts).map(([part, values]) => `${part} ${min(values)} ms`).join(', '));
