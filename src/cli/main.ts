import { Command, CommanderError, Option } from 'commander';
import { duplicateProblems, knownObjects, readManifests } from './manifests';
import { outputFileProblem, writeFileAtomically } from './output-file';
import { admissionMessage, engineAdmission } from '../analysis/admission/admission';
import { FlowFormat, FlowLog } from '../analysis/flows/flow-log';
import { FlowReplay } from '../analysis/flows/flow-replay';
import { replayJson, replaySummary, replayText } from '../analysis/flows/replay-report';
import { ClusterCni, classify, isPolicyLike } from '../analysis/kinds';
import { Linter } from '../analysis/lint/linter';
import { Severity } from '../analysis/lint/types';
import { NetworkModel } from '../analysis/model';
import { calicoSemanticsOf, checkModelOptions, semanticsOptionsOf } from '../analysis/model-input';
import { Report } from '../analysis/report';
import { diffMarkdown, diffModels } from '../analysis/report/diff';
import { writeConnectivityLines } from '../analysis/report/jsonl';
import { planMatrix } from '../analysis/report/matrix';
import { NEWEST_CALICO_MINOR } from '../analysis/semantics/calico/rule';
import { HttpRequest, NetworkModelOptions } from '../analysis/types';
import { GeneratedEngine, ObservedGraph } from '../generate/observed-graph';
import { typescriptProgram } from '../generate/typescript-program';
import { escapeControls } from '../util/control-chars';

/** Where the CLI writes; the process's streams, or buffers in tests. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 fine, 1 findings with errors (lint) or a denied flow (explain), 2 unusable input or usage. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_UNUSABLE = 2;

function describeSkipped(skipped: Map<string, number>): string {
  const total = [...skipped.values()].reduce((a, b) => a + b, 0);
  return total === 0 ? '' : `; skipped ${total} object(s) of kinds the tools do not read (${[...skipped.entries()].map(([k, n]) => `${k} x${n}`).join(', ')})`;
}

interface ExplainOptions {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly protocol: string;
  readonly httpMethod?: string;
  readonly httpPath?: string;
  readonly httpHost?: string;
  readonly httpHeader?: string[];
  readonly kubeApiserver?: string[];
  readonly cni?: ClusterCni;
  readonly clusterName?: string;
  readonly calicoVersion?: string;
}

/** The --cni option of explain, matrix and diff: the semantics the verdicts follow. */
function cniOption(what: string): Option {
  return new Option('--cni <cni>', `the cluster's network plugin: its semantics decide the verdicts${what} (default: as the policies present say; ` +
    'without Cilium or Calico objects, ipBlock is treated per the Kubernetes spec: set --cni to match your cluster)').choices(Object.values(ClusterCni));
}

/** The --cluster-name, --calico-version and --pod-cidrs options of explain, matrix and diff. */
interface SemanticsOptions {
  readonly cni?: ClusterCni;
  readonly clusterName?: string;
  readonly calicoVersion?: string;
  readonly podCidrs?: string[];
  readonly evaluateStaged?: boolean;
}

/** Adds --cluster-name, --calico-version and --pod-cidrs to a command. */
function withSemanticsOptions(command: Command): Command {
  return command
    .option('--pod-cidrs <cidrs...>', 'the cluster\'s pod address ranges, e.g. 10.244.0.0/16: address rules that may match pods (Calico nets, ' +
      'ClusterNetworkPolicy networks) then decide for pods the input gives no address (default: unknown, such rules fail closed)')
    .option('--cluster-name <name>', 'the Cilium cluster name, which endpoints carry as io.cilium.k8s.policy.cluster (default: "default")')
    .option('--calico-version <version>', `the Calico release whose semantics apply, e.g. 3.31.5 (default: the newest the model knows, 3.${NEWEST_CALICO_MINOR})`)
    .option('--evaluate-staged', 'evaluate staged policies as if enforced (Calico\'s Staged* kinds, Cilium policies a staged rollout wrote): ' +
      'what a staged rollout would deny once enforced (default: staged policies are not enforced, and left out)');
}

/** The NetworkModel options of a command's flags, or the problem, naming the flag. */
function modelOptionsOf(options: SemanticsOptions): NetworkModelOptions | string {
  const model = semanticsOptionsOf(options);
  try {
    checkModelOptions('', model);
  } catch (e) {
    const message = (e as Error).message.replace(/^: /, '');
    return message.replace(/^clusterName /, '--cluster-name ').replace(/^calicoVersion /, '--calico-version ').replace(/^podCidrs(\[\d+\])? /, '--pod-cidrs ');
  }
  return model;
}

/** The objects the model reads: the kinds the tools use, and every policy-like kind, so the model can refuse those it does not evaluate. */
function modelInput(objects: any[], known: any[]): any[] {
  const keep = new Set(known);
  return objects.filter((o) => keep.has(o) || isPolicyLike(o));
}

/**
 * The objects the API server would refuse (analysis/admission/), each named with its file, the
 * object and every field: the tools never evaluate them, and the command exits 2, as kubectl apply
 * would fail on them (docs/guides/verifying-policies-in-ci.md#how-the-cli-reads-its-input).
 */
function refusedIn(objects: any[], sources: WeakMap<object, string>, calicoVersion: string | undefined): string[] {
  const calico = calicoSemanticsOf(calicoVersion);
  return objects.flatMap((obj) => {
    const admission = engineAdmission(obj, calico);
    return admission.problems.length === 0 ? [] : [`${sources.get(obj) ?? 'an unknown file'}: ${admissionMessage(admission)}`];
  });
}

/** The objects of an input the model would read twice or the cluster would refuse, named with their files (see duplicateProblems). */
function duplicatesIn(input: { objects: any[]; sources: WeakMap<object, string> }, calicoVersion: string | undefined): string[] {
  const modelled = modelInput(input.objects, knownObjects(input.objects).known);
  return [...refusedIn(modelled, input.sources, calicoVersion), ...duplicateProblems(modelled, input.sources)];
}

/** The probe's HTTP request from the --http-* options, undefined without them, or what is wrong with them. */
function httpRequest(options: ExplainOptions): HttpRequest | undefined | string {
  if ([options.httpMethod, options.httpPath, options.httpHost, options.httpHeader].every((o) => o === undefined)) {
    return undefined;
  }
  if (options.httpMethod === undefined || options.httpPath === undefined) {
    return 'an HTTP request needs both --http-method and --http-path, e.g. --http-method GET --http-path /api/v1/orders';
  }
  const headers: Record<string, string> = {};
  for (const header of options.httpHeader ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) {
      return `--http-header ${JSON.stringify(header)} is not "Name: value", e.g. --http-header "X-Tenant: blue"`;
    }
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return {
    method: options.httpMethod,
    path: options.httpPath,
    ...(options.httpHost !== undefined ? { host: options.httpHost } : {}),
    ...(options.httpHeader !== undefined ? { headers } : {}),
  };
}

/**
 * An error of the library as the CLI reports it: without the API call the message starts with
 * ("NetworkModel.evaluate(): "), which a command-line user did not make.
 */
function cliMessage(e: unknown): string {
  return String((e as Error)?.message ?? e).replace(/^(new )?[A-Z][A-Za-z]*(\.[A-Za-z_]+)?\(\): /, '');
}

/**
 * A note when a semantics flag cannot change the verdicts: --cluster-name matters only under
 * Cilium, --calico-version only under Calico (the CNI of --cni, or of the policies present).
 */
function ignoredFlags(command: string, objects: any[], options: SemanticsOptions): string[] {
  const cnis = new Set<string>();
  for (const obj of objects) {
    const c = obj !== null && typeof obj === 'object' ? classify(obj) : undefined;
    if (c?.category === 'policy') {
      cnis.add(c.cni);
    }
  }
  const runs = (cni: ClusterCni, name: string) => options.cni === cni || (options.cni === undefined && cnis.has(name));
  return [
    ...(options.clusterName !== undefined && !runs(ClusterCni.CILIUM, 'Cilium')
      ? [`cdk8s-netpol ${command}: note: --cluster-name changes nothing here: it is Cilium's cluster label, and the input holds no Cilium policy (and --cni is not cilium)`] : []),
    ...(options.calicoVersion !== undefined && !runs(ClusterCni.CALICO, 'Calico')
      ? [`cdk8s-netpol ${command}: note: --calico-version changes nothing here: the input holds no Calico policy (and --cni is not calico)`] : []),
  ];
}

/** Commander's messages and help, a line at a time with each line's control characters escaped. */
function escapeEachLine(text: string): string {
  return text.replace(/\n$/, '').split('\n').map(escapeControls).join('\n');
}

/**
 * Runs `cdk8s-netpol` with `argv` (without "node" and the script) and returns the exit code.
 *
 * Text read from manifests (names, namespaces, file names, parser messages) reaches the terminal
 * only with its control characters escaped (util/control-chars.ts): one line of text output and
 * one line on standard error stay one line, whatever an object is called. JSON, Markdown, Mermaid
 * and HTML are escaped by their own writers.
 */
export async function runCli(argv: string[], io: CliOutput): Promise<number> {
  let code = EXIT_OK;
  const err = (text: string) => io.err(escapeControls(text));
  const line = (text: string) => io.out(escapeControls(text));
  const program = new Command('cdk8s-netpol')
    .description('Lint, explain and report Kubernetes, Cilium and Calico network policies')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(escapeEachLine(s)), writeErr: (s) => io.err(escapeEachLine(s)) });

  program.command('lint')
    .description('report the classic network-policy mistakes in YAML manifests (exit 1 on errors)')
    .argument('<paths...>', 'YAML files or folders')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--cni <cni>', 'the cluster\'s network plugin').choices(Object.values(ClusterCni)).default(ClusterCni.KUBERNETES))
    .option('--calico-version <version>', `the Calico release whose rules the agent checks, e.g. 3.31.5 (default: the newest the model knows, 3.${NEWEST_CALICO_MINOR})`)
    .action((paths: string[], options: { format: string; cni: ClusterCni; calicoVersion?: string }) => {
      const semantics = modelOptionsOf({ calicoVersion: options.calicoVersion });
      const input = readManifests(paths);
      const unusable = typeof semantics === 'string' ? [semantics] : input.problems;
      if (unusable.length > 0) {
        unusable.forEach((p) => err(`cdk8s-netpol lint: ${p}`));
        code = EXIT_UNUSABLE;
        return;
      }
      const { known, skipped } = knownObjects(input.objects);
      const linter = new Linter({ cni: options.cni, ...(options.calicoVersion !== undefined ? { calicoVersion: options.calicoVersion } : {}) });
      const findings = linter.lint(known);
      const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
      if (options.format === 'json') {
        const rows = findings.map((f) => ({
          rule: f.rule, severity: f.severity, kind: f.kind, namespace: f.namespace ?? null, name: f.name, message: f.message,
        }));
        io.out(JSON.stringify(rows, null, 2));
      } else {
        for (const f of findings) {
          line(`${f.severity.padEnd(7)} ${f.rule.padEnd(34)} ${f.message}`);
        }
      }
      err(`${errors} error(s), ${findings.length - errors} warning(s) in ${known.length} object(s) of ${input.files.length} file(s)${describeSkipped(skipped)}`);
      code = errors > 0 ? EXIT_FINDINGS : EXIT_OK;
    });

  withSemanticsOptions(program.command('explain')
    .description('whether one pod may reach another (or an address), with the reasons (exit 1 when denied)')
    .argument('<paths...>', 'YAML files or folders with the policies, namespaces and workloads')
    .requiredOption('--from <source>', 'NAMESPACE/POD or an IP address')
    .requiredOption('--to <destination>', 'NAMESPACE/POD, an IP address, or a DNS name outside the cluster (Cilium toFQDNs)')
    .requiredOption('--port <port>', 'destination port')
    .addOption(new Option('--protocol <protocol>', 'TCP, UDP or SCTP').choices(['TCP', 'UDP', 'SCTP']).default('TCP'))
    .option('--http-method <method>', 'an HTTP request on the connection, checked against L7 rules: its method (with --http-path)')
    .option('--http-path <path>', 'the HTTP request\'s path, e.g. /api/v1/orders')
    .option('--http-host <host>', 'the HTTP request\'s Host header')
    .option('--http-header <header>', 'an HTTP request header "Name: value" (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--kube-apiserver <address>', 'an address of the Kubernetes API server, for Cilium\'s kube-apiserver entity (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value])
    .addOption(cniOption('')))
    .action((paths: string[], options: ExplainOptions) => {
      const input = readManifests(paths);
      const { known, skipped } = knownObjects(input.objects);
      // Policy-like objects go to the model too: it refuses those it does not evaluate (admin
      // network policies, network sets, other apiVersions) rather than give a verdict without them.
      const modelObjects = modelInput(input.objects, known);
      const semantics = modelOptionsOf(options);
      if (typeof semantics === 'string') {
        err(`cdk8s-netpol explain: ${semantics}`);
        code = EXIT_UNUSABLE;
        return;
      }
      const unusable = [...input.problems, ...(input.problems.length === 0
        ? [...refusedIn(modelObjects, input.sources, semantics.calicoVersion), ...duplicateProblems(modelObjects, input.sources)] : [])];
      if (unusable.length > 0) {
        unusable.forEach((p) => err(`cdk8s-netpol explain: ${p}`));
        code = EXIT_UNUSABLE;
        return;
      }
      ignoredFlags('explain', input.objects, semantics).forEach((n) => err(n));
      // Only a plain decimal: Number() would also take "0x50", "1e2" and " 80 ".
      if (!/^[0-9]{1,5}$/.test(options.port) || Number(options.port) < 1 || Number(options.port) > 65535) {
        err(`cdk8s-netpol explain: --port ${JSON.stringify(options.port)} is not a port; expected a number from 1 to 65535, e.g. --port 8080`);
        code = EXIT_UNUSABLE;
        return;
      }
      const port = Number(options.port);
      const http = httpRequest(options);
      if (typeof http === 'string') {
        err(`cdk8s-netpol explain: ${http}`);
        code = EXIT_UNUSABLE;
        return;
      }
      try {
        const model = NetworkModel.fromManifests(modelObjects, semantics);
        (options.kubeApiserver ?? []).forEach((address) => model.addKubeApiServer(address));
        const verdict = model.evaluate({ from: options.from, to: options.to, port, protocol: options.protocol, ...(http ? { http } : {}) });
        const request = http ? ` (HTTP ${http.method} ${http.path})` : '';
        line(`${verdict.allowed ? 'ALLOWED' : 'DENIED'}: ${options.from} -> ${options.to} on ${options.protocol}/${options.port}${request}`);
        verdict.reasons.forEach((r) => line(`  ${r}`));
        if (skipped.size > 0) {
          err(describeSkipped(skipped).replace(/^; s/, 'S'));
        }
        code = verdict.allowed ? EXIT_OK : EXIT_FINDINGS;
      } catch (e) {
        err(`cdk8s-netpol explain: ${cliMessage(e)}`);
        code = EXIT_UNUSABLE;
      }
    });

  withSemanticsOptions(program.command('matrix')
    .description('who can reach whom: the connectivity matrix of YAML manifests')
    .argument('<paths...>', 'YAML files or folders')
    .addOption(new Option('--format <format>', 'output format (jsonl: the exact ports of every pair, one line per source)')
      .choices(['md', 'mermaid', 'html', 'json', 'jsonl']).default('md'))
    .option('--out <file>', 'write to this file instead of standard output')
    .addOption(cniOption(' and the lint findings')))
    .action((paths: string[], options: SemanticsOptions & { format: string; out?: string }) => {
      const input = readManifests(paths);
      const semantics = modelOptionsOf(options);
      const unusable = typeof semantics === 'string' ? [semantics] : [...input.problems,
        ...(input.problems.length === 0 ? duplicatesIn(input, semantics.calicoVersion) : []), ...outProblem(options.out, input.files)];
      if (unusable.length > 0) {
        unusable.forEach((p) => err(`cdk8s-netpol matrix: ${p}`));
        code = EXIT_UNUSABLE;
        return;
      }
      ignoredFlags('matrix', input.objects, semantics as NetworkModelOptions).forEach((n) => err(n));
      try {
        if (options.format === 'jsonl') {
          // Streamed: the exact detail of a large estate is never one string in memory.
          const plan = planMatrix(Report._model(input.objects.filter((o) => o !== null && typeof o === 'object'), semantics as NetworkModelOptions));
          const notEvaluated = Report._notEvaluated(input.objects, options.evaluateStaged === true);
          if (notEvaluated.length > 0) {
            err(`Incomplete verdicts: the matrix ignores objects the model does not evaluate (not evaluated): ${notEvaluated.join(', ')}`);
          }
          if (options.out === undefined) {
            writeConnectivityLines(plan, (text) => io.out(text.replace(/\n$/, '')));
          } else {
            writeFileAtomically(options.out, (chunk) => writeConnectivityLines(plan, chunk));
            err(`wrote ${options.out}`);
          }
          return;
        }
        // Every object: the report lists the policies it cannot evaluate rather than drop them.
        const report = Report.fromManifests(input.objects.filter((o) => o !== null && typeof o === 'object'), semantics as NetworkModelOptions);
        const notEvaluated = Report._notEvaluated(input.objects, options.evaluateStaged === true);
        if (notEvaluated.length > 0) {
          err(`Incomplete verdicts: the matrix ignores objects the model does not evaluate (not evaluated): ${notEvaluated.join(', ')}`);
        }
        // A Mermaid comment ends at a newline: kinds read from manifests are escaped to stay in it.
        const incomplete = notEvaluated.length > 0
          ? `%% Incomplete verdicts: they ignore objects the model does not evaluate: ${escapeControls(notEvaluated.join(', '))}\n` : '';
        const text = options.format === 'mermaid' ? `${incomplete}${report.toMermaid()}\n`
          : options.format === 'html' ? report.toHtml()
            : options.format === 'json' ? report.toJson() : report.toMarkdown();
        write(options.out, text);
      } catch (e) {
        err(`cdk8s-netpol matrix: ${cliMessage(e)}`);
        code = EXIT_UNUSABLE;
      }
    });

  withSemanticsOptions(program.command('diff')
    .description('the flows a change opens and closes, as Markdown for a pull request')
    .argument('<old>', 'YAML file or folder before the change')
    .argument('<new>', 'YAML file or folder after the change')
    .option('--out <file>', 'write to this file instead of standard output')
    .addOption(cniOption('')))
    .action((before: string, after: string, options: SemanticsOptions & { out?: string }) => {
      const inputs = [readManifests([before]), readManifests([after])];
      const read = inputs.flatMap((i) => i.problems);
      const semantics = modelOptionsOf(options);
      const problems = typeof semantics === 'string' ? [semantics] : [...(read.length > 0 ? read : inputs.flatMap((i) => duplicatesIn(i, semantics.calicoVersion))),
        ...outProblem(options.out, inputs.flatMap((i) => i.files))];
      if (problems.length > 0) {
        problems.forEach((p) => err(`cdk8s-netpol diff: ${p}`));
        code = EXIT_UNUSABLE;
        return;
      }
      ignoredFlags('diff', inputs.flatMap((i) => i.objects), semantics as NetworkModelOptions).forEach((n) => err(n));
      try {
        const modelOptions = semantics as NetworkModelOptions;
        const diff = diffModels(Report._model(inputs[0].objects, modelOptions), Report._model(inputs[1].objects, modelOptions));
        diff.notes.forEach((note) => err(`Warning: ${note}`));
        const notEvaluated = [...new Set(inputs.flatMap((i) => Report._notEvaluated(i.objects, options.evaluateStaged === true)))];
        if (notEvaluated.length > 0) {
          err(`Incomplete verdicts: the diff ignores objects the model does not evaluate (not evaluated): ${notEvaluated.join(', ')}`);
        }
        write(options.out, diffMarkdown(diff, notEvaluated));
      } catch (e) {
        err(`cdk8s-netpol diff: ${cliMessage(e)}`);
        code = EXIT_UNUSABLE;
      }
    });

  withSemanticsOptions(program.command('replay')
    .description('which observed flows (Hubble, Calico flow logs, CSV) the policies would deny (exit 1 when any would be denied or cannot be evaluated)')
    .argument('<paths...>', 'YAML files or folders with the policies (and namespaces and workloads, for flows without labels)')
    .requiredOption('--flows <files...>', 'flow files: hubble observe -o jsonpb, Calico flow logs (JSON lines), or CSV from,to,port,protocol[,count]')
    .addOption(new Option('--flows-format <format>', 'the flow files\' format').choices(Object.values(FlowFormat)).default(FlowFormat.AUTO))
    .option('--skip-malformed', 'skip malformed flow lines (listed in the notes) instead of refusing the file')
    .option('--include-dropped', 'also replay flows the cluster dropped (Hubble DROPPED, Calico deny): would the change open them?')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(cniOption('')))
    .action((paths: string[], options: SemanticsOptions & {
      flows: string[]; flowsFormat: FlowFormat; skipMalformed?: boolean; includeDropped?: boolean; format: string;
    }) => {
      const input = readManifests(paths);
      const semantics = modelOptionsOf(options);
      const unusable = typeof semantics === 'string' ? [semantics] : [...input.problems,
        ...(input.problems.length === 0 ? duplicatesIn(input, semantics.calicoVersion) : [])];
      if (unusable.length > 0) {
        unusable.forEach((p) => err(`cdk8s-netpol replay: ${p}`));
        code = EXIT_UNUSABLE;
        return;
      }
      ignoredFlags('replay', input.objects, semantics as NetworkModelOptions).forEach((n) => err(n));
      const logs: FlowLog[] = [];
      for (const file of options.flows) {
        try {
          logs.push(FlowLog.fromFile(file, {
            format: options.flowsFormat, skipMalformed: options.skipMalformed === true, includeDropped: options.includeDropped === true,
          }));
        } catch (e) {
          // The refusal lists the malformed lines one per line: each is escaped on its own.
          cliMessage(e).replace(/FlowLogOptions\.skipMalformed, /, '').split('\n').forEach((l, i) => err(i === 0 ? `cdk8s-netpol replay: ${l}` : l));
          code = EXIT_UNUSABLE;
        }
      }
      if (code !== EXIT_OK) {
        return;
      }
      try {
        const { known } = knownObjects(input.objects);
        const result = FlowReplay.fromManifests(modelInput(input.objects, known), semantics as NetworkModelOptions).replay(logs);
        if (result.flows === 0) {
          // A gate that checked nothing must not pass: an empty export, only drops, the wrong file.
          err(`cdk8s-netpol replay: no flow to replay in ${logs.map((l) => `${l.name} (${l.lines} line(s))`).join(', ')}: nothing was checked`);
          result.notes.forEach((n) => err(`  ${n}`));
          code = EXIT_UNUSABLE;
          return;
        }
        if (options.format === 'json') {
          io.out(replayJson(result));
        } else {
          replayText(result).forEach((l) => line(l));
        }
        err(replaySummary(result, logs.length));
        code = result.denied.length > 0 || result.unevaluated.length > 0 ? EXIT_FINDINGS : EXIT_OK;
      } catch (e) {
        err(`cdk8s-netpol replay: ${cliMessage(e)}`);
        code = EXIT_UNUSABLE;
      }
    });

  program.command('generate')
    .description('write a TypeScript program (ZeroTrustNamespace + ServiceGraph) that allows exactly the observed flows')
    .requiredOption('--flows <files...>', 'flow files: hubble observe -o jsonpb, Calico flow logs (JSON lines); CSV has no labels to select pods by')
    .option('--namespace <namespaces...>', 'the namespaces to give policies (default: every namespace observed but the system ones: kube-system, ' +
      'kube-public, kube-node-lease, the CNIs\' own, cert-manager, gatekeeper-system)')
    .addOption(new Option('--engine <engine>', 'the engine the program renders for (on cilium, addresses found by DNS names are allowed by name)')
      .choices(['kubernetes', 'cilium', 'calico']).default('kubernetes'))
    .addOption(new Option('--flows-format <format>', 'the flow files\' format').choices(Object.values(FlowFormat)).default(FlowFormat.AUTO))
    .option('--skip-malformed', 'skip malformed flow lines instead of refusing the file')
    .option('--include-dropped', 'also allow flows the cluster dropped (Hubble DROPPED, Calico deny)')
    .option('--chart <name>', 'the id of the program\'s chart: its manifests go to <name>.k8s.yaml', 'observed')
    .option('--out <file>', 'write the program to this file instead of standard output')
    .action((options: {
      flows: string[];
      namespace?: string[];
      engine: GeneratedEngine;
      flowsFormat: FlowFormat;
      skipMalformed?: boolean;
      includeDropped?: boolean;
      chart: string;
      out?: string;
    }) => {
      const problems = [
        ...(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.chart) ? []
          : [`--chart ${JSON.stringify(options.chart)} is not a chart id for a file name (a DNS label: lower case letters, digits and "-")`]),
        ...(options.namespace ?? []).filter((ns) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
          .map((ns) => `--namespace ${JSON.stringify(ns)} is not a namespace name (a DNS label: lower case letters, digits and "-")`),
        ...outProblem(options.out, options.flows),
      ];
      if (problems.length > 0) {
        problems.forEach((p) => err(`cdk8s-netpol generate: ${p}`));
        code = EXIT_UNUSABLE;
        return;
      }
      const logs: FlowLog[] = [];
      for (const file of options.flows) {
        try {
          logs.push(FlowLog.fromFile(file, {
            format: options.flowsFormat, skipMalformed: options.skipMalformed === true, includeDropped: options.includeDropped === true,
          }));
        } catch (e) {
          cliMessage(e).replace(/FlowLogOptions\.skipMalformed, /, '').split('\n').forEach((l, i) => err(i === 0 ? `cdk8s-netpol generate: ${l}` : l));
          code = EXIT_UNUSABLE;
        }
      }
      if (code !== EXIT_OK) {
        return;
      }
      const graph = new ObservedGraph(logs.flatMap((l) => l.flows), {
        engine: options.engine, ...(options.namespace !== undefined ? { namespaces: options.namespace } : {}),
      });
      if (graph.namespaces.length === 0) {
        err('cdk8s-netpol generate: no observed flow reached or left a pod with labels in a namespace to give policies' +
          `${options.namespace !== undefined ? ` (${options.namespace.join(', ')})` : ''}; nothing to generate`);
        graph.leftOut.forEach((l) => err(`  ${l.count} flow(s) left out: ${l.reason}`));
        code = EXIT_UNUSABLE;
        return;
      }
      const files = logs.map((l) => `${l.name}: ${l.lines} line(s), ${l.flows.length} distinct flow(s) (${l.format})`);
      const command = ['cdk8s-netpol generate', ...argv.slice(1).map((a) => (/^[A-Za-z0-9_./=:,@+-]+$/.test(a) ? a : JSON.stringify(a)))].join(' ');
      const text = typescriptProgram(graph, options.engine, { files, command, chart: options.chart });
      write(options.out, text);
      const inScope = graph.workloads.filter((w) => w.inScope).length;
      err(`${inScope} workload(s) in ${graph.namespaces.length} namespace(s), ${graph.dependencies.length} dependency line(s) from ` +
        `${graph.flows} distinct flow(s)`);
      graph.leftOut.forEach((l) => err(`left out ${l.count} flow(s): ${l.reason}, e.g. ${l.examples.join('; ')}`));
    });

  /** Why --out cannot be written, checked before anything is computed: it must not overwrite an input. */
  function outProblem(file: string | undefined, inputs: string[]): string[] {
    const problem = file === undefined ? undefined : outputFileProblem(file, inputs);
    return problem === undefined ? [] : [problem];
  }

  /** A report to standard output, or to --out, atomically (a failed write leaves the old file as it was). */
  function write(file: string | undefined, text: string): void {
    if (file === undefined) {
      io.out(text.replace(/\n$/, ''));
    } else {
      writeFileAtomically(file, text);
      err(`wrote ${file}`);
    }
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not failures; anything else is a usage error.
      return e.exitCode === 0 ? EXIT_OK : EXIT_UNUSABLE;
    }
    throw e;
  }
  return code;
}
