import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as netpol from '../../src';
import { ClusterCni, FlowLog, FlowReplay } from '../../src';
import { runCli } from '../../src/cli/main';
import { expectValidManifests } from '../support/manifests';

// flows -> `cdk8s-netpol generate` -> the program type-checks, runs and synthesizes valid
// manifests -> replaying the same flows against them denies none; removing one dependency line
// denies exactly that dependency's flows.

const ROOT = path.resolve(__dirname, '..', '..');
const FLOWS = path.join(ROOT, 'test', 'fixtures', 'flows');

async function generate(...argv: string[]): Promise<{ code: number; program: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['generate', ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, program: out.join('\n'), err: err.join('\n') };
}

/** Type errors of a program, as examples/tsconfig.json (strict, unused locals refused) sees it, 'cdk8s-netpol' mapped to src/. */
function typeErrors(program: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'examples', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, baseUrl: ROOT, paths: { 'cdk8s-netpol': ['src'] } };
  const file = path.join(ROOT, 'examples', '__generated__.ts');
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => path.resolve(f) === file || fileExists.call(host, f);
  host.readFile = (f) => (path.resolve(f) === file ? program : readFile.call(host, f));
  host.getSourceFile = (f, language, onError, create) => (path.resolve(f) === file
    ? ts.createSourceFile(f, program, language, true) : getSourceFile.call(host, f, language, onError, create));
  const tsProgram = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(tsProgram, tsProgram.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

/** Runs a generated program (its App writes to a temporary folder) and returns the objects it synthesized. */
function synthesize(program: string): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-generated-'));
  const js = ts.transpileModule(program, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  class App extends cdk8s.App {
    constructor(props: cdk8s.AppProps = {}) {
      super({ ...props, outdir });
    }
  }
  const modules: Record<string, unknown> = { 'cdk8s': { ...cdk8s, App }, 'cdk8s-netpol': netpol };
  const load = (name: string) => {
    if (!(name in modules)) {
      throw new Error(`the generated program requires ${name}`);
    }
    return modules[name];
  };
  new Function('require', 'exports', 'module', js)(load, {}, { exports: {} });
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()).filter((o) => o !== null));
}

const CASES: Array<[string, string, ClusterCni]> = [
  ['hubble-star-wars.jsonl', 'cilium', ClusterCni.CILIUM],
  ['hubble-star-wars.jsonl', 'kubernetes', ClusterCni.KUBERNETES],
  ['hubble-star-wars.jsonl', 'calico', ClusterCni.CALICO],
  ['../../../examples/observed-traffic/flows/hubble.jsonl', 'kubernetes', ClusterCni.KUBERNETES],
  ['../../../examples/observed-traffic/flows/hubble.jsonl', 'cilium', ClusterCni.CILIUM],
  ['calico-enterprise-stars.flows.jsonl', 'calico', ClusterCni.CALICO],
  ['goldmane-emitter-stars.jsonl', 'calico', ClusterCni.CALICO],
  ['calico-enterprise-stars.flows.jsonl', 'kubernetes', ClusterCni.KUBERNETES],
  // Operators calling the API server (Cilium's kube-apiserver identity): by identity on Cilium, by its addresses elsewhere.
  ['hubble-apiserver.jsonl', 'cilium', ClusterCni.CILIUM],
  ['hubble-apiserver.jsonl', 'kubernetes', ClusterCni.KUBERNETES],
  ['hubble-apiserver.jsonl', 'calico', ClusterCni.CALICO],
];

describe.each(CASES)('generate from %s for %s', (file, engine, cni) => {
  const flows = path.join(FLOWS, file);
  let generated: { code: number; program: string; err: string };
  let objects: any[];

  beforeAll(async () => {
    generated = await generate('--flows', flows, '--engine', engine);
    objects = synthesize(generated.program);
  });

  test('the program type-checks, runs, and its manifests are valid', () => {
    expect(generated.code).toBe(0);
    expect(typeErrors(generated.program)).toEqual([]);
    expect(objects.length).toBeGreaterThan(0);
    expectValidManifests(objects);
  });

  test('replaying the flows against its manifests denies none', () => {
    const result = FlowReplay.fromManifests(objects, { cni }).replay([FlowLog.fromFile(flows)]);
    expect(result.denied).toEqual([]);
    expect(result.unevaluated).toEqual([]);
    expect(result.allowed).toBe(result.flows);
  });

  test('removing any one dependency line denies exactly the flows of that dependency (the records its comment counts)', () => {
    const lines = generated.program.split('\n');
    const dependencyLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^[a-zA-Z0-9]+\.(calls|allowTo|allowFrom)\(.*\/\/ \d+ record\(s\)/.test(l));
    expect(dependencyLines.length).toBeGreaterThan(1);
    for (const { l, i } of dependencyLines) {
      const records = Number(/\/\/ (\d+) record\(s\)/.exec(l)![1]);
      const without = synthesize([...lines.slice(0, i), ...lines.slice(i + 1)].join('\n'));
      const result = FlowReplay.fromManifests(without, { cni }).replay([FlowLog.fromFile(flows)]);
      const denied = result.denied.reduce((n, g) => n + g.count, 0);
      expect({ line: l, denied, unevaluated: result.unevaluated }).toEqual({ line: l, denied: records, unevaluated: [] });
    }
  });
});
