import { knownObjects, readManifests } from './manifests';
import { ClusterCni } from '../analysis/kinds';
import { Linter } from '../analysis/lint/linter';
import { LintFinding, Severity } from '../analysis/lint/types';
import { checkModelOptions } from '../analysis/model-input';
import { checkOptionsObject, invalid, show } from '../util/validation';

/** Props of `NetpolValidation`, given as `properties` in cdk8s.yaml. */
export interface NetpolValidationProps {
  /**
   * The cluster's network plugin.
   * @default ClusterCni.KUBERNETES
   */
  readonly cni?: ClusterCni;
  /**
   * Fail the synthesis on warnings too.
   * @default false
   */
  readonly failOnWarnings?: boolean;
  /**
   * The cluster's Calico release, whose rules the agent checks (`LinterOptions.calicoVersion`):
   * quoted in cdk8s.yaml ("3.30", not 3.30, which YAML reads as 3.3).
   * @default "3.33" (the newest release the model knows)
   */
  readonly calicoVersion?: string;
}

const WHERE = 'NetpolValidation';
/** The keys of NetpolValidationProps. */
const PROPS_KEYS: Record<keyof NetpolValidationProps, true> = { cni: true, failOnWarnings: true, calicoVersion: true };

/**
 * A cdk8s-cli validation plugin: `cdk8s synth` runs the network-policy linter over everything the
 * app synthesized and fails on error findings. In cdk8s.yaml:
 *
 *   validations:
 *     - package: cdk8s-netpol
 *       version: <the installed version>
 *       class: NetpolValidation
 *       properties: { cni: kubernetes }
 *
 * Before cdk8s-netpol is in the npm registry (or for a build of your own), give the installed
 * copy by path: `package: ./node_modules/cdk8s-netpol`.
 */
export class NetpolValidation {
  private readonly cni: ClusterCni;
  private readonly failOnWarnings: boolean;
  private readonly calicoVersion?: string;

  constructor(props: NetpolValidationProps = {}) {
    // The props come from cdk8s.yaml's `properties`: YAML, where `failOnWarnings: "false"` is a
    // string (true to JavaScript) and a misspelt key would be ignored. Refused, naming the prop.
    // cdk8s-cli passes no props when `properties` is absent; YAML's `properties:` alone is null.
    const given: unknown = props ?? {};
    checkOptionsObject(WHERE, 'properties', given, PROPS_KEYS);
    const p = given as NetpolValidationProps;
    this.cni = p.cni ?? ClusterCni.KUBERNETES;
    if (!Object.values(ClusterCni).includes(this.cni)) {
      invalid(WHERE, `cni ${show(this.cni)} is not one of ${Object.values(ClusterCni).join(', ')}`);
    }
    if (p.failOnWarnings !== undefined && typeof p.failOnWarnings !== 'boolean') {
      invalid(WHERE, `failOnWarnings ${show(p.failOnWarnings)} is not a boolean; expected true or false, unquoted in cdk8s.yaml`);
    }
    this.failOnWarnings = p.failOnWarnings ?? false;
    if (p.calicoVersion !== undefined && typeof p.calicoVersion !== 'string') {
      invalid(WHERE, `calicoVersion ${show(p.calicoVersion)} is not a string; quote the release in cdk8s.yaml, e.g. "3.33" or "3.31.5" ` +
        '(YAML reads an unquoted 3.30 as 3.3)');
    }
    checkModelOptions(WHERE, p.calicoVersion !== undefined ? { calicoVersion: p.calicoVersion } : {});
    this.calicoVersion = p.calicoVersion;
  }

  /**
   * Lints `context.manifests` (the synthesized files) and reports to `context.report`
   * (cdk8s-cli's ValidationContext).
   */
  public async validate(context: any): Promise<void> {
    const input = readManifests(context.manifests ?? []);
    const report = context.report;
    if (input.problems.length > 0) {
      report.addViolation({
        ruleName: 'unreadable-manifests',
        recommendation: 'cdk8s-netpol could not read the synthesized manifests',
        fix: input.problems.join('; '),
        violatingResources: [],
      });
      report.submit('failure', { problems: String(input.problems.length) });
      return;
    }
    const { known } = knownObjects(input.objects);
    const findings = new Linter({ cni: this.cni, ...(this.calicoVersion !== undefined ? { calicoVersion: this.calicoVersion } : {}) }).lint(known);
    const byRule = new Map<string, LintFinding[]>();
    for (const finding of findings) {
      byRule.set(finding.rule, [...(byRule.get(finding.rule) ?? []), finding]);
    }
    const rules = new Map(Linter.rules().map((r) => [r.id, r]));
    const objectOf = (f: LintFinding) => known.find((o) => o?.kind === f.kind && o?.metadata?.name === f.name && (f.namespace === undefined || (o.metadata?.namespace ?? 'default') === f.namespace));
    for (const [rule, group] of byRule) {
      report.addViolation({
        ruleName: `${rule} (${group[0].severity})`,
        recommendation: rules.get(rule)?.title ?? rule,
        fix: rules.get(rule)?.explanation ?? '',
        violatingResources: group.map((f) => {
          const obj = objectOf(f);
          // cdk8s-cli finds the construct path by metadata.name.
          return {
            resourceName: f.name,
            // Messages name their object ("NetworkPolicy shop/x: ..."); the others get it in front.
            locations: [f.message.startsWith(`${f.kind} `) ? f.message : `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}: ${f.message}`],
            manifestPath: (obj && input.sources.get(obj)) ?? '',
          };
        }),
      });
    }
    const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
    const warnings = findings.length - errors;
    const failed = errors > 0 || (this.failOnWarnings && warnings > 0);
    report.submit(failed ? 'failure' : 'success', { errors: String(errors), warnings: String(warnings) });
  }
}
