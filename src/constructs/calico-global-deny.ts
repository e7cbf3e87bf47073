import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { describeConstruct } from './describe';
import { claimObjectName } from './policy-emitter';
import { checkBoolean, checkPolicyName, checkPorts } from './prop-checks';
import { rolloutOf } from './rollout';
import { PolicyEngine } from '../core/engine';
import { Port } from '../core/port';
import { renderCalicoGlobalDeny, renderCalicoPassTier } from '../engines/calico';
import { calicoSelectorProblem } from '../engines/calico-selector';
import { stageManifest } from '../engines/staging';
import { CALICO_VERSION_CONTEXT_KEY } from '../synth/semantics-context';
import { cidrProblem } from '../util/cidr';
import { dns1123SubdomainProblem, toDnsLabel } from '../util/names';
import { checkOptionsObject, invalid, show } from '../util/validation';

/** Props of `CalicoGlobalDeny`. */
export interface CalicoGlobalDenyProps {
  /**
   * Calico selector of the endpoints whose egress is denied, e.g. `"has(app)"` or
   * `CalicoSelector.has('app').expression`. A GlobalNetworkPolicy also selects host endpoints,
   * where they exist, and nodes often need the metadata endpoint: to deny workloads only, use
   * `"has(projectcalico.org/namespace)"` (every pod carries that label, hosts do not).
   * @default "all()"
   */
  readonly selector?: string;
  /**
   * Order of the policy within its tier; lower is evaluated first.
   * @default 100
   */
  readonly order?: number;
  /**
   * The destinations to deny.
   * @default ["169.254.169.254/32"] - the cloud metadata endpoint
   */
  readonly nets?: string[];
  /**
   * Deny only these destination ports.
   * @default - every port and protocol
   */
  readonly ports?: Port[];
  /**
   * The policy name.
   * @default - the construct id as a DNS label
   */
  readonly name?: string;
  /**
   * The Calico tier the policy lives in. Not "default": a tier whose default action is Pass (or
   * a closing Pass rule) is what lets unmatched traffic on, and in the default tier it would
   * skip every Kubernetes NetworkPolicy.
   * @default "cdk8s-netpol-guardrails"
   */
  readonly tier?: string;
  /**
   * Order of that tier among tiers; below 1000 (Calico's kube-admin tier) so the deny comes before any allow.
   * @default 100
   */
  readonly tierOrder?: number;
  /**
   * Emit the `Tier` object (once per app and tier name), with default action Pass. With
   * `false` the tier is managed elsewhere and its default action is unknown, so the policy ends
   * with a Pass rule of its own; as a Pass rule skips the rest of its tier, such a tier holds
   * one CalicoGlobalDeny only.
   * @default true
   */
  readonly createTier?: boolean;
}

/** The keys of CalicoGlobalDenyProps: unknown keys are refused (a misspelt one would be ignored). */
const PROPS_KEYS: Record<keyof CalicoGlobalDenyProps, true> = {
  selector: true,
  order: true,
  nets: true,
  ports: true,
  name: true,
  tier: true,
  tierOrder: true,
  createTier: true,
};

const DEFAULT_TIER = 'cdk8s-netpol-guardrails';
/**
 * Calico's own tiers: `default` (Kubernetes and untiered policies; a Pass there would skip them)
 * and the admin-policy tiers, whose orders and default actions Calico fixes.
 */
const RESERVED_TIERS = ['default', 'kube-admin', 'kube-baseline', 'adminnetworkpolicy', 'baselineadminnetworkpolicy'];
/** The order of Calico's `kube-admin` tier: a guardrail must come before admin allows. */
const FIRST_CALICO_TIER_ORDER = 1000;
/**
 * The tiers this app's CalicoGlobalDeny constructs use: the order of the ones they emit, or
 * `external` (managed elsewhere) with the construct that uses it.
 */
const TIERS = new WeakMap<IConstruct, Map<string, { order: number } | { external: string }>>();

/**
 * Denies egress to `nets` (by default the cloud metadata endpoint 169.254.169.254) for every
 * endpoint matching `selector`, before any allow can apply: a `projectcalico.org/v3`
 * GlobalNetworkPolicy in its own tier, evaluated ahead of the default tier where Kubernetes
 * NetworkPolicies live.
 *
 * The tier's default action is `Pass`: traffic no deny of the tier matches goes on to the next
 * tier unchanged (in a tier managed elsewhere, `createTier: false`, the policy ends with a Pass
 * rule instead). A plain deny policy in the default tier
 * would instead drop every other packet of the endpoints it selects (a tier that applies to an
 * endpoint but takes no action drops), cutting all egress cluster-wide.
 */
export class CalicoGlobalDeny extends Construct {
  /** The Tier object, when this construct emitted it. */
  public readonly tierObject?: ApiObject;

  constructor(scope: Construct, id: string, props: CalicoGlobalDenyProps = {}) {
    super(scope, id);
    const where = describeConstruct('CalicoGlobalDeny', this);
    const p = props === undefined ? {} : props;
    checkOptionsObject(where, 'props', p, PROPS_KEYS);
    const selector = p.selector ?? 'all()';
    const selectorProblem = calicoSelectorProblem(selector);
    if (selectorProblem) {
      invalid(where, `selector ${show(selector)} is not a valid Calico selector: ${selectorProblem}; expected e.g. "all()" or "app == 'web' && !has(debug)"`);
    }
    const order = p.order ?? 100;
    checkFinite(where, 'order', order);
    const nets = p.nets ?? ['169.254.169.254/32'];
    if (!Array.isArray(nets) || nets.length === 0) {
      invalid(where, `nets ${show(nets)} must list at least one CIDR, e.g. ["169.254.169.254/32"]`);
    }
    // Array.from: a hole in the list is refused as undefined rather than skipped.
    Array.from(nets).forEach((net, i) => {
      const problem = cidrProblem(net);
      if (problem) {
        invalid(where, `nets[${i}] ${show(net)} is not a valid CIDR: ${problem}`);
      }
    });
    checkPorts(where, 'ports', p.ports);
    const named = (p.ports ?? []).find((port) => port.name !== undefined);
    if (named) {
      invalid(where, `ports lists the named port ${named}; addresses outside the cluster have no container ports to name, use a numbered port`);
    }
    checkPolicyName(where, 'name', p.name);
    const tier = p.tier ?? DEFAULT_TIER;
    const tierProblem = dns1123SubdomainProblem(tier);
    if (tierProblem) {
      invalid(where, `tier ${show(tier)} is not a valid tier name: ${tierProblem}`);
    }
    if (tier === 'default') {
      invalid(where, 'tier "default" cannot hold this policy: the default tier denies what no rule matches, so the policy would need a ' +
        'closing Pass rule, which would skip every Kubernetes NetworkPolicy of that tier; use a tier of its own');
    }
    if (RESERVED_TIERS.includes(tier)) {
      invalid(where, `tier ${show(tier)} is one of Calico's own tiers (${RESERVED_TIERS.join(', ')}), whose order and default action Calico fixes; use a tier of its own`);
    }
    const tierOrder = p.tierOrder ?? 100;
    checkFinite(where, 'tierOrder', tierOrder);
    if (tierOrder >= FIRST_CALICO_TIER_ORDER) {
      invalid(where, `tierOrder ${tierOrder} would put the tier at or after Calico's kube-admin tier (order ${FIRST_CALICO_TIER_ORDER}), where allows may already decide; use an order below ${FIRST_CALICO_TIER_ORDER}`);
    }
    checkBoolean(where, 'createTier', p.createTier);

    const tiers = tiersOf(this);
    const existing = tiers.get(tier);
    if (existing !== undefined && 'external' in existing) {
      invalid(where, `tier ${show(tier)} is already used by ${existing.external} with createTier: false, whose closing Pass rule ` +
        'would skip this policy (a Pass rule skips the rest of its tier); give this policy another tier');
    }
    let closingPass = false;
    if (p.createTier ?? true) {
      this.tierObject = claimTier(this, where, tier, tierOrder);
    } else if (existing === undefined) {
      // A tier managed elsewhere: its default action is unknown, so the policy passes unmatched
      // traffic on itself (a Deny default would otherwise drop all other egress).
      tiers.set(tier, { external: where });
      closingPass = true;
    }

    // Calico 3.29 to 3.31 take a policy of a tier other than default only as "<tier>.<name>"
    // (bare names from 3.32, projectcalico/calico#11232): the release comes from cdk8s-netpol/calico-version.
    const version = this.node.tryGetContext(CALICO_VERSION_CONTEXT_KEY);
    const minor = typeof version === 'string' ? /^v?3\.(\d+)/.exec(version)?.[1] : undefined;
    const bare = p.name ?? toDnsLabel(id);
    const name = minor !== undefined && Number(minor) < 32 && !bare.startsWith(`${tier}.`) ? `${tier}.${bare}` : bare;
    const staged = rolloutOf(this, PolicyEngine.CALICO, where) === 'staged';
    claimObjectName(this, where, 'projectcalico.org/v3', staged ? 'StagedGlobalNetworkPolicy' : 'GlobalNetworkPolicy', undefined, name);
    const rendered = renderCalicoGlobalDeny({
      name,
      tier,
      order,
      selector,
      nets,
      ports: p.ports ?? [],
      closingPass,
      description: `Endpoints matching ${selector} may not send to ${nets.join(', ')}` +
        `${p.ports ? ` on ${p.ports.join(', ')}` : ''}; everything else passes to the next tier.`,
    });
    const manifest = staged ? stageManifest(rendered, PolicyEngine.CALICO, where) : rendered;
    new ApiObject(this, 'Policy', manifest as any);
  }
}

function checkFinite(where: string, prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    invalid(where, `${prop} ${show(value)} must be a finite number (lower is evaluated first)`);
  }
}

function tiersOf(owner: Construct): Map<string, { order: number } | { external: string }> {
  const app = owner.node.root;
  let tiers = TIERS.get(app);
  if (!tiers) {
    tiers = new Map();
    TIERS.set(app, tiers);
  }
  return tiers;
}

/** Emits the tier once per app; a second construct in the same tier must agree on its order. */
function claimTier(owner: Construct, where: string, tier: string, order: number): ApiObject | undefined {
  const tiers = tiersOf(owner);
  const existing = tiers.get(tier);
  if (existing !== undefined && 'order' in existing) {
    if (existing.order !== order) {
      invalid(where, `tier ${show(tier)} is already emitted with tierOrder ${existing.order}; give the same tierOrder or another tier`);
    }
    return undefined;
  }
  tiers.set(tier, { order });
  return new ApiObject(owner, 'Tier', renderCalicoPassTier(tier, order) as any);
}
