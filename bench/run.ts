/**
 * `npx projen bench`: synthesis of an estate (cdk8s-netpol vs hand-written vs cdk8s-plus-28, and
 * the Cilium and Calico renderings) and NetworkModel at scale. Each measurement runs in a fresh
 * process (peak RSS is its own); runs are interleaved so drift hits every variant alike, and the
 * median of the runs is reported. Results: a Markdown table on stdout and dist/bench/results.json.
 *
 * Then FlowLog and FlowReplay on flow files of 100,000 lines (bench/flows-bench.ts), and `cdk8s-netpol matrix` (Markdown and JSON) and `diff` on generated estates of W workloads
 * (bench/matrix-estate.ts), once each, each in a fresh process (bench/matrix-child.ts).
 *
 * Options: --sizes 100,300,1000  --runs 3  --variants netpol,hand-written,...  --matrix-sizes 1000,2000,5000 (0 skips)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Command } from 'commander';
import { buildEstate, Variant, VARIANTS } from './estate';
import { MatrixEstateSummary, WORKLOADS_PER_NAMESPACE, writeMatrixEstate } from './matrix-estate';

interface SynthResult {
  readonly variant: Variant;
  readonly namespaces: number;
  readonly documents: number;
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly buildMs: number;
  readonly synthMs: number;
  readonly peakRssMb: number;
}

const options = new Command()
  .option('--sizes <list>', 'namespaces per estate', '100,300,1000')
  .option('--runs <n>', 'runs per measurement (the median is reported)', '3')
  .option('--variants <list>', `variants, of ${VARIANTS.join(', ')}`, VARIANTS.join(','))
  .option('--matrix-sizes <list>', `workloads per matrix/diff estate, multiples of ${WORKLOADS_PER_NAMESPACE}; 0 or empty skips`, '1000,2000,5000')
  .parse(process.argv)
  .opts();
const sizes = String(options.sizes).split(',').map(Number);
const runs = Number(options.runs);
const variants = String(options.variants).split(',') as Variant[];
for (const v of variants) {
  if (!VARIANTS.includes(v)) {
    throw new Error(`--variants: "${v}" is not one of ${VARIANTS.join(', ')}`);
  }
}
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
  throw new Error('--sizes must be positive integers and --runs a positive integer');
}
const matrixSizes = String(options.matrixSizes ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '0').map(Number);
for (const n of matrixSizes) {
  if (!Number.isInteger(n) || n < WORKLOADS_PER_NAMESPACE || n % WORKLOADS_PER_NAMESPACE !== 0) {
    throw new Error(`--matrix-sizes: ${JSON.stringify(String(n)).slice(0, 40)} is not a positive multiple of ${WORKLOADS_PER_NAMESPACE} (workloads, ${WORKLOADS_PER_NAMESPACE} per namespace), e.g. 1000,2000,5000`);
  }
}

function child(script: string, args: string[]): any {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, script), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${script} ${args.join(' ')} failed:\n${result.stderr}`);
  }
  const line = result.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

/** The comparison means something only if both write the same policies: same names, same specs. */
function assertSamePolicies(): void {
  const specs = (variant: Variant) => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bench-check-')) });
    buildEstate(app, variant, 1);
    return Object.fromEntries(app.charts[0].toJson().map((o: any) => [o.metadata.name, o.spec]));
  };
  const canonical = (value: any): any => Array.isArray(value) ? value.map(canonical)
    : value !== null && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])])) : value;
  const hand = JSON.stringify(canonical(specs('hand-written')));
  for (const variant of ['netpol', 'service-graph'] as const) {
    const ours = JSON.stringify(canonical(specs(variant)));
    if (ours !== hand) {
      throw new Error(`the hand-written estate differs from the ${variant} estate:\n${hand}\n${ours}`);
    }
  }
}
assertSamePolicies();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const samples = new Map<string, SynthResult[]>();
for (let run = 1; run <= runs; run++) {
  for (const n of sizes) {
    for (const variant of variants) {
      const result = child('synth-child.ts', [variant, String(n)]) as SynthResult;
      const key = `${variant} ${n}`;
      samples.set(key, [...(samples.get(key) ?? []), result]);
      process.stderr.write(`run ${run}/${runs} ${key}: ${result.totalMs.toFixed(0)} ms\n`);
    }
  }
}

const synthesis = [...samples.entries()].map(([key, list]) => {
  const [variant, n] = key.split(' ');
  const totalMs = median(list.map((r) => r.totalMs));
  return {
    variant,
    namespaces: Number(n),
    documents: list[0].documents,
    totalMs,
    msPerDocument: totalMs / list[0].documents,
    cpuMs: median(list.map((r) => r.cpuMs)),
    peakRssMb: median(list.map((r) => r.peakRssMb)),
    runsMs: list.map((r) => Math.round(r.totalMs)),
  };
});
const model = child('model-bench.ts', []);
// Flow files of 100,000 lines read and replayed, each format and shape in a fresh process.
const flows = ['hubble', 'calico', 'csv'].flatMap((format) => ['repeating', 'distinct', 'namespaces'].map((shape) => child('flows-bench.ts', [format, shape])));

/** A matrix/diff run that went wrong is a row that says so, not the end of the bench: a blow-up is a finding. */
const MATRIX_TIMEOUT_MS = 30 * 60 * 1000;

interface MatrixRow {
  readonly workloads: number;
  readonly namespaces: number;
  readonly policies: number;
  readonly command: string;
  readonly wallMs?: number;
  readonly cpuMs?: number;
  readonly peakRssMb?: number;
  readonly outputBytes?: number;
  readonly failed?: string;
}

/** Runs matrix-child.ts with a 4 GB heap (so a blow-up shows as a figure, within reason) and returns its line, or why it failed. */
function matrixChild(args: string[]): any {
  const result = spawnSync(process.execPath,
    ['--max-old-space-size=4096', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'matrix-child.ts'), ...args],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: MATRIX_TIMEOUT_MS });
  const stderr = (result.stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  // V8's out-of-memory report starts with its last GCs: the FATAL ERROR line says what happened.
  const firstLine = stderr.find((l) => l.startsWith('FATAL ERROR')) ?? stderr[0] ?? '(nothing on standard error)';
  if (result.error !== undefined || result.signal !== null || result.status !== 0) {
    const how = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' ? `timed out after ${MATRIX_TIMEOUT_MS / 1000} s`
      : result.signal !== null ? `killed by ${result.signal}` : `exit ${result.status}`;
    return { failed: `${how}: ${firstLine}` };
  }
  const line = JSON.parse(result.stdout.trim().split('\n').pop()!);
  return line.exitCode === 0 ? line : { failed: `exit ${line.exitCode}: ${line.messages[0] ?? '(no message)'}` };
}

const matrix: MatrixRow[] = [];
for (const n of matrixSizes) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bench-matrix-'));
  try {
    const base = path.join(tmp, 'base');
    const estate: MatrixEstateSummary = writeMatrixEstate(base, n, { variant: 'base' });
    writeMatrixEstate(path.join(tmp, 'changed'), n, { variant: 'changed' });
    const runsOf: [string, string[]][] = [
      ['matrix', ['matrix', base, '--format', 'md', '--out', path.join(tmp, 'matrix.md')]],
      ['matrix --format json', ['matrix', base, '--format', 'json', '--out', path.join(tmp, 'matrix.json')]],
      ['diff base changed', ['diff', base, path.join(tmp, 'changed'), '--out', path.join(tmp, 'diff.md')]],
    ];
    for (const [command, args] of runsOf) {
      const r = matrixChild(args);
      const row: MatrixRow = {
        workloads: estate.workloads,
        namespaces: estate.namespaces,
        policies: estate.policies,
        command,
        ...(r.failed !== undefined
          ? { failed: r.failed } : { wallMs: r.wallMs, cpuMs: r.cpuMs, peakRssMb: r.peakRssMb, outputBytes: r.outputBytes }),
      };
      matrix.push(row);
      process.stderr.write(`matrix ${n} ${command}: ${row.failed !== undefined ? `failed: ${row.failed}` : `${row.wallMs!.toFixed(0)} ms`}\n`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const lines: string[] = [];
lines.push(`Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, median of ${runs} interleaved runs`, '');
lines.push('| N | variant | documents | total ms | ms / document | × hand-written | cdk8s-plus ÷ this | CPU ms | CPU × hand-written | peak RSS MB |');
lines.push('|---|---|---|---|---|---|---|---|---|---|');
for (const n of sizes) {
  const at = synthesis.filter((s) => s.namespaces === n);
  const hand = at.find((s) => s.variant === 'hand-written');
  const plus = at.find((s) => s.variant === 'cdk8s-plus');
  for (const s of at) {
    const vsHand = hand ? (s.msPerDocument / hand.msPerDocument).toFixed(2) : '-';
    const plusRatio = plus ? (plus.msPerDocument / s.msPerDocument).toFixed(2) : '-';
    const cpuVsHand = hand ? (s.cpuMs / hand.cpuMs).toFixed(2) : '-';
    lines.push(`| ${n} | ${s.variant} | ${s.documents} | ${s.totalMs.toFixed(0)} | ${s.msPerDocument.toFixed(3)} | ${vsHand} | ${plusRatio} | ` +
      `${s.cpuMs.toFixed(0)} | ${cpuVsHand} | ${s.peakRssMb.toFixed(0)} |`);
  }
}
lines.push('', `NetworkModel: ${model.pods} pods in ${model.namespaces} namespaces, ${model.policies} policies: index ${model.indexMs.toFixed(0)} ms, ` +
  `${model.evaluationsPerSecond.toLocaleString('en-US')} evaluations/s, full ${model.pods}×${model.pods} matrix on one port ${(model.matrixMs / 1000).toFixed(2)} s ` +
  `(${model.matrixAllowed} allowed); with ${model.clusterPolicies} ClusterNetworkPolicies around them ` +
  `${model.clusterEvaluationsPerSecond.toLocaleString('en-US')} evaluations/s, the matrix ${(model.clusterMatrixMs / 1000).toFixed(2)} s ` +
  `(${model.clusterMatrixAllowed} allowed); ${model.calicoPolicies.toLocaleString('en-US')} Calico policies of one namespace built and decided in ` +
  `${model.calicoBuildMs.toFixed(0)} ms, peak RSS ${model.peakRssMb.toFixed(0)} MB`);
lines.push('', `FlowLog and FlowReplay: ${flows[0].lines.toLocaleString('en-US')} lines per file, replayed against ${flows[0].pods} pods in ` +
  `${flows[0].namespaces} namespaces under ${flows[0].policies} policies (repeating: the lines repeat a few thousand connections; distinct: each line its own pod pair; namespaces: each line its own pod pair ` +
  'among 10,000 pods of 5,000 namespaces):', '');
lines.push('| format | shape | file MB | distinct flows | read s | replay s | denied pairs | peak RSS MB |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const f of flows) {
  lines.push(`| ${f.format} | ${f.shape} | ${f.mb.toFixed(1)} | ${f.distinctFlows} | ${(f.readMs / 1000).toFixed(2)} | ${(f.replayMs / 1000).toFixed(2)} | ` +
    `${f.groups} | ${f.peakRssMb.toFixed(0)} |`);
}
if (matrix.length > 0) {
  lines.push('', 'cdk8s-netpol matrix / diff (each estate also holds kube-system, monitoring and ingress-nginx; diff against the estate with ' +
    'one policy widened, one added, one removed), one run each:', '');
  lines.push('| workloads | namespaces | policies | command | wall s | CPU s | peak RSS MB | output MB |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const m of matrix) {
    const figures = m.failed !== undefined ? `failed: ${m.failed.replace(/\|/g, '\\|').slice(0, 200)} | - | - | -`
      : `${(m.wallMs! / 1000).toFixed(1)} | ${(m.cpuMs! / 1000).toFixed(1)} | ${m.peakRssMb!.toFixed(0)} | ${(m.outputBytes! / (1024 * 1024)).toFixed(2)}`;
    lines.push(`| ${m.workloads} | ${m.namespaces} | ${m.policies} | ${m.command} | ${figures} |`);
  }
}
console.log(lines.join('\n'));

const out = path.join(__dirname, '..', 'dist', 'bench');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify({ node: process.version, runs, synthesis, model, flows, matrix }, null, 2));
fs.writeFileSync(path.join(out, 'results.md'), lines.join('\n') + '\n');
