import { Direction } from '../direction';

/**
 * A policy object as decisions name it: what a program needs to find the object (in the input, or
 * the construct that emitted it), without reading it back out of a reason.
 */
export interface PolicyRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Undefined for cluster-scoped kinds (CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy). */
  readonly namespace?: string;
  readonly name: string;
  /**
   * How reasons name the object: "prod/x" for a Kubernetes NetworkPolicy, "CiliumNetworkPolicy
   * prod/x", "Calico NetworkPolicy prod/x", "GlobalNetworkPolicy x".
   */
  readonly id: string;
}

/**
 * The reference of a policy object; made once per compiled policy, so that decisions can share it
 * and sets of references dedupe by identity.
 * @param label how reasons name the kind (omitted for Kubernetes NetworkPolicies, "Calico NetworkPolicy" for Calico's)
 */
export function policyRef(apiVersion: string, kind: string, namespace: string | undefined, name: string, label: string | undefined): PolicyRef {
  const where = namespace === undefined ? name : `${namespace}/${name}`;
  return { apiVersion, kind, ...(namespace !== undefined ? { namespace } : {}), name, id: label === undefined ? where : `${label} ${where}` };
}

/** Why a side was decided as it was. */
export enum DecisionCause {
  /** Allowed: the pod uses the node's network, where pod policies do not apply. */
  HOST_NETWORK = 'host-network',
  /** Allowed: no policy isolates the pod in this direction. */
  NOT_ISOLATED = 'not-isolated',
  /** Allowed by a rule of a policy (`allowedBy`). */
  ALLOWED = 'allowed',
  /** Allowed: Calico tiers applied, and each passed the connection on to the namespace's profile, which allows. */
  PASSED_TO_PROFILE = 'passed-to-profile',
  /**
   * Allowed: ClusterNetworkPolicies apply to the pod in this direction but none of their rules
   * decided (none matched, or one passed it on), and no NetworkPolicy isolates it: the cluster's
   * default allows. Unlike NOT_ISOLATED it may change with the port.
   */
  PASSED_TO_DEFAULT = 'passed-to-default',
  /** Denied: the pod is isolated (`isolatedBy`) and no rule of those policies allows the connection. */
  NO_RULE_ALLOWS = 'no-rule-allows',
  /** Denied: the request is allowed at L3/L4 but matches none of the HTTP rules on the port. */
  L7_DENIED = 'l7-denied',
  /** Denied by an explicit deny rule (`deniedBy`): a Cilium ingressDeny/egressDeny, a Calico Deny. */
  DENY_RULE = 'deny-rule',
  /** Denied by the default action (Deny) of the Calico tier named in `tier`: its policies applied to the pod and none of their rules decided. */
  TIER_DEFAULT = 'tier-default',
  /**
   * Denied because the model cannot tell whether a rule that would deny matches (an unknown
   * address against a Cilium deny, or a Calico Deny or Pass rule; `deniedBy` names its policy):
   * `undecided` says why. The cluster may allow the connection.
   */
  FAIL_CLOSED = 'fail-closed',
}

/** How one side of a connection was decided: the data programs use, and the prose people read. */
export interface SideDecision {
  readonly direction: Direction;
  /** "namespace/pod". */
  readonly pod: string;
  readonly allowed: boolean;
  readonly cause: DecisionCause;
  /**
   * The policies that isolate the pod in this direction (for Calico: that apply to it), each once;
   * for DENY_RULE and FAIL_CLOSED the deny's policy first (Cilium: only it), and for L7_DENIED also
   * the policies whose HTTP rules refused the request.
   */
  readonly isolatedBy: readonly PolicyRef[];
  /** The policy whose rule allowed (cause ALLOWED). */
  readonly allowedBy?: PolicyRef;
  /** The policy whose deny rule decided (causes DENY_RULE and FAIL_CLOSED). */
  readonly deniedBy?: PolicyRef;
  /** The Calico tier whose default action denied (cause TIER_DEFAULT). */
  readonly tier?: string;
  /** Why the model could not tell whether the deny matches (cause FAIL_CLOSED). */
  readonly undecided?: string;
  /**
   * Set when the side is allowed at L3/L4 and L7 rules decide what passes ("HTTP": only the
   * requests they list; "DNS": only the names they list), and the probe carried no request to
   * check against them.
   */
  readonly l7?: 'HTTP' | 'DNS';
  /** The decision in words, naming the policies and rules: "ingress of prod/api: allowed by ...". */
  readonly reason: string;
}

/** What a decision holds besides its side, its cause and its reason. */
export interface DecisionData {
  readonly isolatedBy?: readonly PolicyRef[];
  readonly allowedBy?: PolicyRef;
  readonly deniedBy?: PolicyRef;
  readonly tier?: string;
  readonly undecided?: string;
  readonly l7?: 'HTTP' | 'DNS';
}

/** Causes that allow. */
const ALLOWING: ReadonlySet<DecisionCause> = new Set([DecisionCause.HOST_NETWORK, DecisionCause.NOT_ISOLATED, DecisionCause.ALLOWED,
  DecisionCause.PASSED_TO_PROFILE, DecisionCause.PASSED_TO_DEFAULT]);

const NONE: readonly PolicyRef[] = [];

/**
 * A side's decision from its data (absent data: undefined). `reason` is the rest of the prose after "<direction> of <pod>:
 * allowed" or "...: denied": the evaluator words the rules it matched, the opening is the same
 * for every engine.
 */
export function decision(direction: Direction, pod: string, cause: DecisionCause, data: DecisionData, reason: string): SideDecision {
  const allowed = ALLOWING.has(cause);
  // One shape for every decision (absent data undefined): a matrix makes millions of them.
  return {
    direction,
    pod,
    allowed,
    cause,
    isolatedBy: data.isolatedBy ?? NONE,
    allowedBy: data.allowedBy,
    deniedBy: data.deniedBy,
    tier: data.tier,
    undecided: data.undecided,
    l7: data.l7,
    reason: `${direction} of ${pod}: ${allowed ? 'allowed' : 'denied'}${reason}`,
  };
}

/** "prod/a, CiliumNetworkPolicy prod/b": the ids of policies, for reasons. */
export function policyIds(refs: readonly PolicyRef[]): string {
  return refs.map((ref) => ref.id).join(', ');
}

/** The references, each once, in their order. */
export function distinctRefs(...lists: (readonly PolicyRef[])[]): PolicyRef[] {
  return [...new Set(lists.flat())];
}
