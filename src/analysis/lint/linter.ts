import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Inventory, inventory } from './inventory';
import { LintRule, RawFinding } from './rule';
import { withAdmissionMemo } from '../admission/admission';
import { ClusterCni } from '../kinds';
import { calicoSemanticsOf, checkModelOptions } from '../model-input';
import { allowAll } from './rules/allow-all';
import { apiServerRejects } from './rules/api-server-rejects';
import { calicoDenyWithoutOrder } from './rules/calico-deny-without-order';
import { ciliumIgnoresEndPort } from './rules/cilium-ignores-endport';
import { clusterDenyWithoutDns } from './rules/cluster-deny-without-dns';
import { clusterPassToNothing } from './rules/cluster-pass-to-nothing';
import { clusterSamePriority } from './rules/cluster-same-priority';
import { egressToMetadata } from './rules/egress-to-metadata';
import { fqdnWithoutDnsProxy } from './rules/fqdn-without-dns-proxy';
import { invalidSuppression } from './rules/invalid-suppression';
import { missingDnsEgress } from './rules/missing-dns-egress';
import { namespaceSelectorByCustomLabel } from './rules/namespace-selector-by-custom-label';
import { namespaceWithoutDefaultDeny } from './rules/namespace-without-default-deny';
import { notModelled } from './rules/not-modelled';
import { orInsteadOfAnd } from './rules/or-instead-of-and';
import { policyTypesMismatch } from './rules/policy-types-mismatch';
import { selectorMatchesNothing } from './rules/selector-matches-nothing';
import { selectorOnControllerLabel } from './rules/selector-on-controller-label';
import { serviceAccountLabelsUnknown } from './rules/service-account-labels-unknown';
import { LintFinding, LintRuleInfo, LinterOptions, Severity } from './types';
import { AppCheck, AppSnapshot, CheckCharts, registerCheck } from '../../synth/app-checks';
import { semanticsContextOf } from '../../synth/semantics-context';
import { synthWarning } from '../../synth/synth-warnings';
import { checkOptionsObject, invalid, show } from '../../util/validation';
import { CalicoSemantics } from '../semantics/calico/rule';

/** The context key that turns the synth-time lint off (`false`). */
export const LINT_CONTEXT_KEY = 'cdk8s-netpol/lint';
/** The context key naming the cluster's network plugin (`kubernetes`, `cilium`, `calico`) for the synth-time lint. */
export const CNI_CONTEXT_KEY = 'cdk8s-netpol/cni';

/**
 * The synth-time lint, one check for every app: all charts linted together (a deny in one chart
 * and the DNS allowance in another are one namespace's policies), each error reported by the
 * chart that holds the object (or the first linted chart, for namespace-wide findings). The
 * context keys `cdk8s-netpol/cni` and `cdk8s-netpol/calico-version` give the cluster's semantics.
 */
const SYNTH_LINT: AppCheck = {
  contextKey: LINT_CONTEXT_KEY,
  run({ apiObjects, jsons }: AppSnapshot, { registered, first }: CheckCharts): Map<IConstruct, string[]> {
    // Context keys as the proofs read them: the app's, or the first registered chart's that sets one.
    const named = registered.map((c) => c.node.tryGetContext(CNI_CONTEXT_KEY)).find((v) => v !== undefined) as ClusterCni | undefined;
    const cni = named ?? ClusterCni.KUBERNETES;
    const errors = new Map<IConstruct, string[]>();
    let calicoVersion: string | undefined;
    try {
      calicoVersion = semanticsContextOf(registered).calicoVersion;
    } catch (e) {
      errors.set(registered[0], [`[cdk8s-netpol] lint: ${(e as Error).message}`]);
      return errors;
    }
    const findings = new Linter({ cni, ...(calicoVersion !== undefined ? { calicoVersion } : {}) }).lint(jsons);
    for (const finding of findings) {
      if (finding.severity === Severity.WARNING) {
        synthWarning(first, 'lint', `warning ${finding.rule}: ${finding.message}`);
        continue;
      }
      const index = jsons.findIndex((o) => o?.kind === finding.kind && o?.metadata?.name === finding.name &&
        (finding.namespace === undefined || (o.metadata?.namespace ?? 'default') === finding.namespace));
      const owner = index >= 0 ? Chart.of(apiObjects[index]) : undefined;
      const chart = owner && registered.includes(owner) ? owner : registered[0];
      errors.set(chart, [...(errors.get(chart) ?? []), `[cdk8s-netpol] ${finding.rule}: ${finding.message}`]);
    }
    return errors;
  },
};

const CHECKS: LintRule[] = [
  missingDnsEgress,
  namespaceSelectorByCustomLabel,
  orInsteadOfAnd,
  egressToMetadata,
  allowAll,
  policyTypesMismatch,
  apiServerRejects,
  fqdnWithoutDnsProxy,
  calicoDenyWithoutOrder,
  clusterSamePriority,
  clusterPassToNothing,
  clusterDenyWithoutDns,
  ciliumIgnoresEndPort,
  selectorMatchesNothing,
  selectorOnControllerLabel,
  serviceAccountLabelsUnknown,
  notModelled,
  namespaceWithoutDefaultDeny,
];
const SUPPRESSION_CHECK = invalidSuppression(CHECKS.map((rule) => rule.id));
const RULES: LintRule[] = [...CHECKS, SUPPRESSION_CHECK];
/**
 * Findings no annotation silences: a broken suppression, and an object the cluster refuses (the
 * refusal happens whatever the object says about itself).
 */
const UNSUPPRESSIBLE: ReadonlySet<LintRule> = new Set([SUPPRESSION_CHECK, apiServerRejects]);

/**
 * Finds the classic network-policy mistakes in manifest objects (hand-written, imported, emitted
 * by this library's constructs, or combinations): rules with stable ids, severities and one-line
 * messages naming the object and the fix. Every object is judged by its content alone, whoever
 * wrote it: the constructs' own output is clean by construction, and what a user asks of them
 * (an egress to 0.0.0.0/0, say) is reported like the same hand-written policy. A finding is
 * suppressed by the annotation `cdk8s-netpol.io/suppress` on its object, one `rule-id: reason`
 * per line; a suppression without a reason is itself an error.
 */
export class Linter {
  /** Every rule, with its id, severity and explanation. */
  public static rules(): LintRuleInfo[] {
    return RULES.map(({ id, severity, title, explanation }) => ({ id, severity, title, explanation }));
  }

  /**
   * Lints the app of `chart` when the chart is validated (`cdk8s synth`, `app.synth()`): all
   * charts of the app together, errors failing synthesis (reported by the chart holding the
   * object), warnings printed. The library's constructs register this for their charts; call it
   * for charts of hand-written policies. The context keys `cdk8s-netpol/lint: false` and
   * `cdk8s-netpol/cni` adjust it.
   */
  public static validateChart(chart: Chart): void {
    if (!(chart instanceof Chart)) {
      invalid('Linter.validateChart()', `chart ${show(chart)} is not a cdk8s Chart`);
    }
    registerCheck(chart, SYNTH_LINT);
  }

  private readonly cni: ClusterCni;
  private readonly calico: CalicoSemantics;

  constructor(options: LinterOptions = {}) {
    checkOptionsObject('new Linter()', 'options', options, { cni: true, calicoVersion: true });
    const cni = options.cni ?? ClusterCni.KUBERNETES;
    if (!Object.values(ClusterCni).includes(cni)) {
      invalid('new Linter()', `cni ${show(cni)} is not one of ${Object.values(ClusterCni).join(', ')}`);
    }
    this.cni = cni;
    checkModelOptions('new Linter()', options.calicoVersion !== undefined ? { calicoVersion: options.calicoVersion } : {});
    this.calico = calicoSemanticsOf(options.calicoVersion);
  }

  /** The findings for these manifest objects (JSON), errors first. */
  public lint(objects: any[]): LintFinding[] {
    if (!Array.isArray(objects)) {
      invalid('Linter.lint()', `objects ${show(objects)} is not a list of manifest objects`);
    }
    // No object is exempt, whatever it claims about itself: an annotation saying "the library
    // made me" can be written by anyone, and the lint gates pull requests.
    return withAdmissionMemo(() => this.lintAll(objects));
  }

  private lintAll(objects: any[]): LintFinding[] {
    const input: Inventory = inventory(objects, this.cni, this.calico);
    const findings: LintFinding[] = [];
    for (const rule of RULES) {
      let raw: RawFinding[];
      try {
        raw = rule.check(input);
      } catch (e) {
        // A rule that trips over malformed input must not hide the others' findings.
        findings.push({ rule: rule.id, severity: Severity.ERROR, kind: 'Input', name: '-', message: `rule ${rule.id} could not read the input: ${(e as Error).message}` });
        continue;
      }
      for (const { item, message, severity } of raw) {
        const reason = item.suppressions.get(rule.id);
        if (reason !== undefined && reason.length > 0 && !UNSUPPRESSIBLE.has(rule)) {
          continue;
        }
        findings.push({
          rule: rule.id,
          severity: severity ?? rule.severity,
          kind: item.kind,
          ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
          name: item.name,
          message,
        });
      }
    }
    const rank = (f: LintFinding) => (f.severity === Severity.ERROR ? 0 : 1);
    return findings.sort((a, b) => rank(a) - rank(b));
  }
}
