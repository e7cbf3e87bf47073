import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { classify, ClusterCni, isNotEvaluatedPolicy } from './kinds';
import { Linter } from './lint/linter';
import { LintFinding } from './lint/types';
import { NetworkModel } from './model';
import { checkModelOptions, semanticsOptionsOf } from './model-input';
import { htmlPage } from './report/html';
import { markdownReport } from './report/markdown';
import { ConnectivityMatrix, connectivityMatrix } from './report/matrix';
import { mermaidFlowchart } from './report/mermaid';
import { isStagedPolicy, withStagedAsEnforced } from './staged';
import { NetworkModelOptions } from './types';
import { checkOptionsObject, invalid, show } from '../util/validation';

/** Options of `Report`. */
export interface ReportOptions {
  /**
   * The report's title.
   * @default "Network policy report"
   */
  readonly title?: string;
  /**
   * Lint findings to list.
   * @default - none
   */
  readonly findings?: LintFinding[];
  /**
   * Policy-like objects in the input that the matrix does not evaluate, e.g.
   * "policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy x3".
   * @default - none
   */
  readonly notEvaluated?: string[];
}

/** Options of `Report.fromManifests` and `Report.writeForApp`. */
export interface ManifestReportOptions {
  /**
   * The report's title.
   * @default "Network policy report"
   */
  readonly title?: string;
  /**
   * The cluster's network plugin, for the lint findings and the matrix's semantics
   * (`NetworkModelOptions.cni`).
   * @default - lint as ClusterCni.KUBERNETES; the matrix as the policies present say (NetworkModelOptions.cni)
   */
  readonly cni?: ClusterCni;
  /**
   * The Cilium cluster name, which the identity label `io.cilium.k8s.policy.cluster` carries
   * (`NetworkModelOptions.clusterName`).
   * @default "default"
   */
  readonly clusterName?: string;
  /**
   * The Calico release whose semantics apply (`NetworkModelOptions.calicoVersion`).
   * @default - the newest release the model knows
   */
  readonly calicoVersion?: string;
  /**
   * The cluster's pod address ranges (`NetworkModelOptions.podCidrs`): with them, address rules
   * that may match pods (Calico `nets`, ClusterNetworkPolicy `networks`) decide pod-to-pod cells
   * instead of failing closed on pods whose addresses the manifests do not give.
   * @default - unknown: such rules fail closed for pods
   */
  readonly podCidrs?: string[];
  /**
   * Evaluate staged policies as if enforced (`NetworkModelOptions.evaluateStaged`): the matrix a
   * staged rollout would give once it is enforced.
   * @default false - staged policies are listed as not evaluated
   */
  readonly evaluateStaged?: boolean;
}

/** The files `Report.writeForApp` writes beside the synthesized YAML. */
export const REPORT_FILES = { markdown: 'netpol-report.md', html: 'netpol-report.html' };

/**
 * Who can talk to whom, for people reviewing a policy change: the connectivity matrix of a
 * NetworkModel (workloads, kube-dns, the internet and the cloud metadata endpoint) as Markdown
 * with a Mermaid diagram, as one self-contained HTML page, or as JSON.
 */
export class Report {
  /**
   * A report of manifest objects: Kubernetes NetworkPolicies, the Cilium or Calico policies (and
   * Calico Tiers) of one CNI, Namespaces and workloads make the matrix; every object is linted;
   * policy-like kinds the model does not evaluate (admin network policies, staged policies,
   * network sets, ...) are listed as not evaluated. Cilium and Calico policies together are an
   * error: a cluster runs one CNI.
   */
  public static fromManifests(objects: any[], options: ManifestReportOptions = {}): Report {
    const where = 'Report.fromManifests()';
    if (!Array.isArray(objects)) {
      invalid(where, `objects ${show(objects)} is not a list of manifest objects`);
    }
    checkManifestReportOptions(where, options);
    objects.forEach((obj, i) => {
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        invalid(where, `objects[${i}] ${show(obj)} is not a manifest object`);
      }
    });
    return new Report(Report._model(objects, semanticsOptionsOf(options)), {
      title: options.title,
      findings: new Linter({ cni: options.cni, ...(options.calicoVersion !== undefined ? { calicoVersion: options.calicoVersion } : {}) })
        .lint(objects),
      notEvaluated: Report._notEvaluated(objects, options.evaluateStaged === true),
    });
  }

  /**
   * The policy-like kinds of `objects` that the model does not evaluate, as "apiVersion Kind xN":
   * every object the model refuses (so exactly what `explain` would refuse) and the staged
   * policies it skips.
   * @internal
   */
  public static _notEvaluated(objects: any[], evaluateStaged: boolean = false): string[] {
    const others = new Map<string, number>();
    for (const obj of objects) {
      if (evaluateStaged && isStagedPolicy(obj)) {
        continue;
      }
      if (isNotEvaluatedPolicy(obj)) {
        const kind = `${obj.apiVersion} ${obj.kind}`;
        others.set(kind, (others.get(kind) ?? 0) + 1);
      }
    }
    return [...others.entries()].map(([kind, n]) => `${kind} x${n}`);
  }

  /**
   * The model of the objects the report evaluates: the policies of the kinds the model evaluates,
   * Namespaces, ServiceAccounts and workloads (the others are listed by `_notEvaluated` instead of refused).
   * @internal
   */
  public static _model(objects: any[], options?: NetworkModelOptions): NetworkModel {
    const modelled = new Set(['policy', 'tier', 'namespace', 'workload', 'serviceAccount']);
    // Staged policies evaluated as enforced are read as their enforced kinds (analysis/staged.ts).
    let read = objects;
    if (options?.evaluateStaged === true) {
      try {
        read = withStagedAsEnforced(objects.filter((obj) => obj !== null && typeof obj === 'object'));
      } catch (e) {
        invalid('NetworkModel.fromManifests()', (e as Error).message);
      }
    }
    return NetworkModel.fromManifests(read.filter((obj) => modelled.has(classify(obj).category)), options);
  }

  /**
   * Writes `netpol-report.md` and `netpol-report.html` into the app's output folder, from every
   * object of every chart. Call it after `app.synth()`. Returns the paths written.
   */
  public static writeForApp(app: App, options: ManifestReportOptions = {}): string[] {
    if (!(app instanceof App)) {
      invalid('Report.writeForApp()', `app ${show(app)} is not a cdk8s App`);
    }
    checkManifestReportOptions('Report.writeForApp()', options);
    const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
    return Report.fromManifests(objects, options).writeTo(app.outdir);
  }

  /** The matrix this report shows. */
  public readonly matrix: ConnectivityMatrix;
  private readonly title: string;
  private readonly findings: LintFinding[];
  private readonly notEvaluated: string[];

  constructor(model: NetworkModel, options: ReportOptions = {}) {
    if (!(model instanceof NetworkModel)) {
      invalid('new Report()', `model ${show(model)} is not a NetworkModel`);
    }
    checkOptionsObject('new Report()', 'options', options, { title: true, findings: true, notEvaluated: true });
    if (options.title !== undefined && typeof options.title !== 'string') {
      invalid('new Report()', `title ${show(options.title)} is not a string`);
    }
    for (const prop of ['findings', 'notEvaluated'] as const) {
      if (options[prop] !== undefined && !Array.isArray(options[prop])) {
        invalid('new Report()', `${prop} ${show(options[prop])} is not a list`);
      }
    }
    this.matrix = connectivityMatrix(model);
    this.title = options.title ?? 'Network policy report';
    this.findings = [...(options.findings ?? [])];
    this.notEvaluated = [...(options.notEvaluated ?? [])];
  }

  /** The Mermaid flowchart of allowed flows, grouped by namespace. */
  public toMermaid(): string {
    return mermaidFlowchart(this.matrix);
  }

  /** Markdown: the Mermaid diagram, the matrix table and the lint findings. */
  public toMarkdown(): string {
    return markdownReport(this.title, this.matrix, this.findings, this.notEvaluated);
  }

  /** One self-contained HTML page (no network, no scripts). */
  public toHtml(): string {
    return htmlPage(this.title, this.matrix, this.findings, this.notEvaluated);
  }

  /** The matrix and findings as JSON, for tooling. */
  public toJson(): string {
    return `${JSON.stringify({ title: this.title, matrix: this.matrix, findings: this.findings, notEvaluated: this.notEvaluated }, null, 2)}\n`;
  }

  /** Writes netpol-report.md and netpol-report.html into `folder`; returns their paths. */
  public writeTo(folder: string): string[] {
    fs.mkdirSync(folder, { recursive: true });
    const markdown = path.join(folder, REPORT_FILES.markdown);
    const html = path.join(folder, REPORT_FILES.html);
    fs.writeFileSync(markdown, this.toMarkdown());
    fs.writeFileSync(html, this.toHtml());
    return [markdown, html];
  }
}

/** Validates the options of `fromManifests`/`writeForApp`, naming the call the user made. */
function checkManifestReportOptions(where: string, options: ManifestReportOptions): void {
  checkOptionsObject(where, 'options', options, { title: true, cni: true, clusterName: true, calicoVersion: true, podCidrs: true, evaluateStaged: true });
  if (options.evaluateStaged !== undefined && typeof options.evaluateStaged !== 'boolean') {
    invalid(where, `evaluateStaged ${show(options.evaluateStaged)} is not true or false`);
  }
  checkModelOptions(where, semanticsOptionsOf(options));
  if (options.title !== undefined && typeof options.title !== 'string') {
    invalid(where, `title ${show(options.title)} is not a string`);
  }
  if (options.cni !== undefined && !Object.values(ClusterCni).includes(options.cni)) {
    invalid(where, `cni ${show(options.cni)} is not one of ${Object.values(ClusterCni).join(', ')}`);
  }
}
