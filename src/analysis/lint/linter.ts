import { ApiObject, Chart } from 'cdk8s';
import { Inventory, inventory } from './inventory';
import { LintRule } from './rule';
import { allowAll } from './rules/allow-all';
import { apiServerRejects } from './rules/api-server-rejects';
import { calicoDenyWithoutOrder } from './rules/calico-deny-without-order';
import { ciliumIgnoresEndPort } from './rules/cilium-ignores-endport';
import { egressToMetadata } from './rules/egress-to-metadata';
import { fqdnWithoutDnsProxy } from './rules/fqdn-without-dns-proxy';
import { invalidSuppression } from './rules/invalid-suppression';
import { missingDnsEgress } from './rules/missing-dns-egress';
import { namespaceSelectorByCustomLabel } from './rules/namespace-selector-by-custom-label';
import { namespaceWithoutDefaultDeny } from './rules/namespace-without-default-deny';
import { orInsteadOfAnd } from './rules/or-instead-of-and';
import { policyTypesMismatch } from './rules/policy-types-mismatch';
import { selectorMatchesNothing } from './rules/selector-matches-nothing';
import { ClusterCni, LintFinding, LintRuleInfo, LinterOptions, Severity } from './types';
import { invalid, show } from '../../util/validation';

/** The context key that turns the synth-time lint off (`false`). */
export const LINT_CONTEXT_KEY = 'cdk8s-netpol/lint';
/** The context key naming the cluster's network plugin (`kubernetes`, `cilium`, `calico`) for the synth-time lint. */
export const CNI_CONTEXT_KEY = 'cdk8s-netpol/cni';
const LINTED = new WeakSet<Chart>();

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
  ciliumIgnoresEndPort,
  selectorMatchesNothing,
  namespaceWithoutDefaultDeny,
];
const SUPPRESSION_CHECK = invalidSuppression(CHECKS.map((rule) => rule.id));
const RULES: LintRule[] = [...CHECKS, SUPPRESSION_CHECK];

/**
 * Finds the classic network-policy mistakes in manifest objects (hand-written, imported, or
 * combinations): rules with stable ids, severities and one-line messages naming the object and
 * the fix. Objects emitted by this library's constructs are never reported on. A finding is
 * suppressed by the annotation `cdk8s-netpol.io/suppress` on its object, one `rule-id: reason`
 * per line; a suppression without a reason is itself an error.
 */
export class Linter {
  /** Every rule, with its id, severity and explanation. */
  public static rules(): LintRuleInfo[] {
    return RULES.map(({ id, severity, title, explanation }) => ({ id, severity, title, explanation }));
  }

  /**
   * Lints every object of `chart` when it is validated (`cdk8s synth`, `app.synth()`): error
   * findings fail synthesis, warnings are printed. The library's constructs register this for
   * their charts; call it for charts of hand-written policies. Registered once per chart; the
   * context keys `cdk8s-netpol/lint: false` and `cdk8s-netpol/cni` adjust it.
   */
  public static validateChart(chart: Chart): void {
    if (!(chart instanceof Chart)) {
      invalid('Linter.validateChart()', `chart ${show(chart)} is not a cdk8s Chart`);
    }
    if (LINTED.has(chart)) {
      return;
    }
    LINTED.add(chart);
    chart.node.addValidation({
      validate: () => {
        const setting = chart.node.tryGetContext(LINT_CONTEXT_KEY);
        if (setting === false || setting === 'false') {
          return [];
        }
        const cni = (chart.node.tryGetContext(CNI_CONTEXT_KEY) as ClusterCni | undefined) ?? ClusterCni.KUBERNETES;
        // Not chart.toJson(): it would run the chart's validations again.
        const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
        const findings = new Linter({ cni }).lint(objects);
        for (const warning of findings.filter((f) => f.severity === Severity.WARNING)) {
          console.warn(`[cdk8s-netpol] warning ${warning.rule}: ${warning.message}`);
        }
        return findings.filter((f) => f.severity === Severity.ERROR).map((f) => `[cdk8s-netpol] ${f.rule}: ${f.message}`);
      },
    });
  }

  private readonly cni: ClusterCni;

  constructor(options: LinterOptions = {}) {
    const cni = options?.cni ?? ClusterCni.KUBERNETES;
    if (!Object.values(ClusterCni).includes(cni)) {
      invalid('new Linter()', `cni ${show(cni)} is not one of ${Object.values(ClusterCni).join(', ')}`);
    }
    this.cni = cni;
  }

  /** The findings for these manifest objects (JSON), errors first. */
  public lint(objects: any[]): LintFinding[] {
    if (!Array.isArray(objects)) {
      invalid('Linter.lint()', `objects ${show(objects)} is not a list of manifest objects`);
    }
    const input: Inventory = inventory(objects, this.cni);
    const findings: LintFinding[] = [];
    for (const rule of RULES) {
      for (const { item, message } of rule.check(input)) {
        if (item.fromLibrary) {
          continue;
        }
        const reason = item.suppressions.get(rule.id);
        if (reason !== undefined && reason.length > 0 && rule !== SUPPRESSION_CHECK) {
          continue;
        }
        findings.push({
          rule: rule.id,
          severity: rule.severity,
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
