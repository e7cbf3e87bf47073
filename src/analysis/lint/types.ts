import { ClusterCni } from '../kinds';

/** How serious a finding is. */
export enum Severity {
  /** The policy is rejected, ignored or broken: synthesis and `cdk8s-netpol lint` fail. */
  ERROR = 'error',
  /** Likely a mistake: reported, does not fail. */
  WARNING = 'warning',
}

/** One problem found in the manifests. */
export interface LintFinding {
  /** The rule's stable id, e.g. "missing-dns-egress". */
  readonly rule: string;
  readonly severity: Severity;
  /** The kind of the object the finding is about. */
  readonly kind: string;
  /**
   * The object's namespace.
   * @default - cluster-scoped object
   */
  readonly namespace?: string;
  /** The object's name. */
  readonly name: string;
  /** One line naming the object, the problem and the fix. */
  readonly message: string;
}

/** Options of `Linter`. */
export interface LinterOptions {
  /**
   * The network plugin of the cluster.
   * @default ClusterCni.KUBERNETES
   */
  readonly cni?: ClusterCni;
  /**
   * The cluster's Calico release, for the Calico policies' rules as the agent checks them
   * (`NetworkModelOptions.calicoVersion`): e.g. a rule of named ports without a protocol is
   * rejected before 3.32.
   * @default "3.33" (the newest release the model knows)
   */
  readonly calicoVersion?: string;
}

/** What a rule checks, for documentation and `--help`. */
export interface LintRuleInfo {
  /** Stable id, used in findings and suppressions. */
  readonly id: string;
  readonly severity: Severity;
  /** One line. */
  readonly title: string;
  /** Why it matters and how to fix it. */
  readonly explanation: string;
}
