/**
 * One measured synthesis, in a process of its own so that peak RSS belongs to it alone:
 * `synth-child.ts <variant> <namespaces>` prints one JSON line.
 *
 * The measured path is what `cdk8s synth` does: build the construct tree, then `app.synth()`
 * (validations, including cdk8s-netpol's synth-time lint and proofs, and writing the YAML).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildEstate, Variant, VARIANTS } from './estate';

const [variant, count] = process.argv.slice(2);
if (!VARIANTS.includes(variant as Variant) || !/^\d+$/.test(count ?? '')) {
  throw new Error(`usage: synth-child.ts <${VARIANTS.join('|')}> <namespaces>`);
}
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bench-'));
try {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  buildEstate(app, variant as Variant, Number(count));
  const built = process.hrtime.bigint();
  app.synth();
  const end = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuStart);
  // Counted after the clock stopped: toJson() synthesizes each chart again.
  const documents = app.charts.reduce((sum, chart) => sum + chart.toJson().length, 0);
  console.log(JSON.stringify({
    variant,
    namespaces: Number(count),
    documents,
    files: fs.readdirSync(outdir).length,
    buildMs: Number(built - start) / 1e6,
    synthMs: Number(end - built) / 1e6,
    totalMs: Number(end - start) / 1e6,
    // User + system CPU of the process (GC threads included): steadier than wall time on a busy machine.
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }));
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
