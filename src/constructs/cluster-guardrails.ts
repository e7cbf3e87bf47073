import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { claimObjectNames } from './policy-emitter';
import { FlowPromise, PolicyProofs, RepresentativePod, labelsSatisfying } from './proofs';
import { checkPolicyName } from './prop-checks';
import { rolloutOf } from './rollout';
import { calicoSemanticsOf } from '../analysis/model-input';
import { PolicyEngine } from '../core/engine';
import { GuardrailAction, GuardrailIntent, GuardrailTier } from '../core/guardrail';
import { Peer, PeerKind } from '../core/peer';
import { Port } from '../core/port';
import { renderCalicoGuardrail } from '../engines/calico';
import { renderCiliumGuardrail } from '../engines/cilium';
import { renderClusterNetworkPolicies } from '../engines/cluster-network-policy';
import { ManifestObject } from '../engines/manifest';
import { KUBERNETES_CANNOT_STAGE, stageManifest } from '../engines/staging';
import { CALICO_VERSION_CONTEXT_KEY } from '../synth/semantics-context';
import { cidrContainsIp, cidrDifference, hostAddressIn, parseCidr } from '../util/cidr';
import { generatedMark, GENERATED_ANNOTATION } from '../util/mark';
import { toDnsLabel, toUniqueDnsLabel } from '../util/names';
import { checkOptionsObject, invalid, isIntegerInRange, show } from '../util/validation';

/** Props of `ClusterGuardrails`. */
export interface ClusterGuardrailsProps {
  /**
   * The engine to render for: Kubernetes ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`,
   * network-policy-api v0.2.0), Calico GlobalNetworkPolicy in its `kube-admin`/`kube-baseline`
   * tiers (Calico 3.32+), or Cilium CiliumClusterwideNetworkPolicy (deny guardrails only).
   * @default - the context key `cdk8s-netpol/engine`, else PolicyEngine.KUBERNETES
   */
  readonly engine?: PolicyEngine;
  /**
   * The base name of the emitted objects: `<name>-deny-1`, `<name>-allow-2`, `<name>-baseline-deny-1`, ...
   * @default - the construct id as a DNS label
   */
  readonly name?: string;
  /**
   * The priority (0 to 1000, lower first) of this construct's first guardrail in each tier; each
   * further guardrail of the tier takes the next one. Two guardrails of one tier and priority are
   * refused (upstream leaves their order to the implementation).
   * @default - the next free priority of the tier in the app, from 100
   */
  readonly priority?: number;
}

const PROPS_KEYS: Record<keyof ClusterGuardrailsProps, true> = { engine: true, name: true, priority: true };

/** Where default priorities start: room below for rules that must come first. */
const FIRST_DEFAULT_PRIORITY = 100;
const MAX_PRIORITY = 1000;
/** The longest suffix the construct adds to `name`: "-baseline-allow-1000-ingress". */
const NAME_SUFFIX_MAX = '-baseline-allow-1000-ingress'.length;
/** An address outside the cluster that stands for the internet in promises (RFC 5737 documentation range). */
const INTERNET_ADDRESS = '203.0.113.10';
/** The ports a guardrail without ports is proven on. */
const EVERY_PORT_PROBES: readonly { port: number; protocol: string }[] = [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }];
/** Container port numbers given to the stand-in servers of named-port guardrails. */
const NAMED_PORT_BASE = 20000;

/** The priorities taken in each tier, per app: who holds them. */
const PRIORITIES = new WeakMap<IConstruct, Record<GuardrailTier, Map<number, string>>>();

interface Guardrail {
  readonly intent: GuardrailIntent;
  /** The call, as errors name it. */
  readonly where: string;
}

/**
 * Cluster-wide rules that the namespaces' own policies cannot override (`deny`, `allow`: the
 * admin tier, evaluated before every namespace policy) or that apply only where the namespaces'
 * policies say nothing (`baselineDeny`, `baselineAllow`: the baseline tier, after them):
 * "no pod reaches the cloud metadata endpoint", "tenant A never reaches tenant B", "Prometheus
 * always scrapes" (docs/constructs/cluster-guardrails.md).
 *
 * Guardrails of one tier are evaluated in priority order, which is the order they are declared
 * in (from `priority`, or the app's next free priority): the first that matches a connection
 * decides it. `from` and `to` are pods of named or selected namespaces (`Peer.namespace("db")`,
 * `Peer.podsInNamespace("db", {...})`, `Peer.namespaces({})` for every pod) or, as `to`, addresses
 * (`Peer.ipBlock()`, `Peer.internet()`, `Peer.anywhere()`).
 *
 * At synth, every admin guardrail is proven with the NetworkModel against everything the app
 * emits: a deny is denied and an allow is allowed whatever the namespaces' policies say.
 */
export class ClusterGuardrails extends Construct {
  /** The engine the guardrails are rendered for. */
  public readonly engine: PolicyEngine;
  /** The emitted objects, in declaration order. */
  public readonly objects: ApiObject[] = [];
  private readonly where: string;
  private readonly baseName: string;
  private readonly basePriority?: number;
  /** Rendered in staged form (context key cdk8s-netpol/rollout: "staged"). */
  private readonly staged: boolean;
  private readonly guardrails: Guardrail[] = [];
  private readonly counts: Record<string, number> = {};

  constructor(scope: Construct, id: string, props: ClusterGuardrailsProps = {}) {
    super(scope, id);
    this.where = describeConstruct('ClusterGuardrails', this);
    const p = props ?? {};
    checkOptionsObject(this.where, 'props', p, PROPS_KEYS);
    this.engine = chooseEngine(this, p.engine, this.where);
    checkPolicyName(this.where, 'name', p.name, NAME_SUFFIX_MAX);
    this.baseName = p.name ?? toDnsLabel(id, 63 - NAME_SUFFIX_MAX);
    if (p.priority !== undefined && !isIntegerInRange(p.priority, 0, MAX_PRIORITY)) {
      invalid(this.where, `priority ${show(p.priority)} is not an integer from 0 to ${MAX_PRIORITY} (lower is evaluated first)`);
    }
    this.basePriority = p.priority;
    if (this.engine === PolicyEngine.CALICO) {
      // kube-admin and kube-baseline exist from Calico 3.32 (they replaced the admin network policy tiers).
      const version = this.node.tryGetContext(CALICO_VERSION_CONTEXT_KEY);
      if (typeof version === 'string' && /^v?3\.\d+/.test(version)) {
        let release: ReturnType<typeof calicoSemanticsOf> | undefined;
        try {
          release = calicoSemanticsOf(version);
        } catch {
          release = undefined; // a bad value: the proofs name the context key
        }
        if (release !== undefined && !release.clusterNetworkPolicy) {
          invalid(this.where, `context key ${CALICO_VERSION_CONTEXT_KEY} is ${show(version)}, but Calico's kube-admin and kube-baseline tiers, ` +
            'where PolicyEngine.CALICO puts guardrails, exist from Calico 3.32; use CalicoGlobalDeny (a tier of its own) for denies on earlier releases');
        }
      }
    }
    this.staged = rolloutOf(this, this.engine, this.where) === 'staged';
    if (this.staged && this.engine === PolicyEngine.KUBERNETES) {
      invalid(this.where, KUBERNETES_CANNOT_STAGE);
    }
    PolicyProofs._promise(this, 'ClusterGuardrails', this.where, () => this.promises());
  }

  /**
   * Denies traffic from `from` to `to` (on `ports`; none: every port and protocol) in the admin
   * tier: no namespace's policy can open it.
   * @param from the clients: pods of named or selected namespaces (`Peer.namespaces({})`: every pod)
   * @param to the servers: pods, or addresses (`Peer.ipBlock`, `Peer.internet`, `Peer.anywhere`)
   * @param ports the destination ports; none: every port and protocol
   */
  public deny(from: Peer, to: Peer, ...ports: Port[]): void {
    this.add('deny', GuardrailTier.ADMIN, GuardrailAction.DENY, from, to, ports);
  }

  /**
   * Allows traffic from `from` to `to` (on `ports`; none: every port and protocol) in the admin
   * tier, on both ends: no namespace's policy can close it.
   * @param from the clients: pods of named or selected namespaces
   * @param to the servers: pods, or addresses
   * @param ports the destination ports; none: every port and protocol
   */
  public allow(from: Peer, to: Peer, ...ports: Port[]): void {
    this.add('allow', GuardrailTier.ADMIN, GuardrailAction.ALLOW, from, to, ports);
  }

  /**
   * Denies traffic in the baseline tier: where no namespace policy selects the pods (for that
   * direction), the connection is denied; a namespace's own policy overrides it.
   * @param from the clients
   * @param to the servers
   * @param ports the destination ports; none: every port and protocol
   */
  public baselineDeny(from: Peer, to: Peer, ...ports: Port[]): void {
    this.add('baselineDeny', GuardrailTier.BASELINE, GuardrailAction.DENY, from, to, ports);
  }

  /**
   * Allows traffic in the baseline tier: it decides only where no admin guardrail and no namespace
   * policy did (for that direction); a namespace's own policy overrides it.
   * @param from the clients
   * @param to the servers
   * @param ports the destination ports; none: every port and protocol
   */
  public baselineAllow(from: Peer, to: Peer, ...ports: Port[]): void {
    this.add('baselineAllow', GuardrailTier.BASELINE, GuardrailAction.ALLOW, from, to, ports);
  }

  private add(method: string, tier: GuardrailTier, action: GuardrailAction, from: Peer, to: Peer, ports: Port[]): void {
    const where = `${this.where}.${method}()`;
    checkEnd(where, 'from', from);
    checkEnd(where, 'to', to);
    if (from.kind !== PeerKind.PODS && to.kind !== PeerKind.PODS) {
      invalid(where, `neither from (${from}) nor to (${to}) is pods: a guardrail decides at a pod, so one end at least must be pods`);
    }
    Array.from(ports).forEach((port, i) => {
      if (!(port instanceof Port)) {
        invalid(where, `ports[${i}] ${show(port)} is not a Port; use e.g. Port.tcp(443)`);
      }
    });
    const named = ports.find((port) => port.name !== undefined);
    if (named !== undefined && to.kind !== PeerKind.PODS) {
      invalid(where, `the named port ${named} is looked up on the destination pod, and ${to} has no container ports to name; use a numbered port`);
    }
    const key = tier === GuardrailTier.ADMIN ? action : `baseline-${action}`;
    const n = (this.counts[key] ?? 0) + 1;
    const name = `${this.baseName}-${key}-${n}`;
    const priority = this.claimPriority(where, tier);
    const verb = action === GuardrailAction.DENY ? 'may not reach' : 'may reach';
    const description = `${tier === GuardrailTier.ADMIN ? 'Cluster guardrail' : 'Cluster baseline'} (priority ${priority}): ${from} ${verb} ${to}` +
      `${ports.length > 0 ? ` on ${ports.join(', ')}` : ''}${tier === GuardrailTier.ADMIN ? ', whatever the namespaces\' policies say' : ', unless a namespace\'s policy decides'}.`;
    const intent: GuardrailIntent = { name, tier, action, priority, from, to, ports: [...ports], description };
    let manifests: ManifestObject[];
    try {
      manifests = this.render(intent, where);
      claimObjectNames(this, where, manifests);
    } catch (e) {
      this.releasePriority(tier, priority);
      throw e;
    }
    this.counts[key] = n;
    this.guardrails.push({ intent, where });
    manifests.forEach((manifest) => {
      const object = new ApiObject(this, manifest.metadata.name, manifest as any);
      const mark = generatedMark({ apiVersion: manifest.apiVersion, kind: manifest.kind, spec: manifest.spec });
      object.metadata.addAnnotation(GENERATED_ANNOTATION, mark);
      this.objects.push(object);
    });
  }

  private render(intent: GuardrailIntent, where: string): ManifestObject[] {
    const rendered = this.renderForEngine(intent, where);
    return this.staged ? rendered.map((manifest) => stageManifest(manifest, this.engine, where)) : rendered;
  }

  private renderForEngine(intent: GuardrailIntent, where: string): ManifestObject[] {
    switch (this.engine) {
      case PolicyEngine.KUBERNETES:
        return renderClusterNetworkPolicies(intent, where);
      case PolicyEngine.CALICO:
        return renderCalicoGuardrail(intent, where);
      case PolicyEngine.CILIUM:
        return renderCiliumGuardrail(intent, where);
      default:
        throw new Error(`${where}: engine ${show(this.engine)} is unknown`);
    }
  }

  /** The next priority of the tier for this construct, refused when another guardrail holds it. */
  private claimPriority(where: string, tier: GuardrailTier): number {
    const taken = prioritiesOf(this)[tier];
    const mine = this.guardrails.filter((g) => g.intent.tier === tier);
    let priority: number;
    if (this.basePriority !== undefined) {
      priority = mine.length === 0 ? this.basePriority : mine[mine.length - 1].intent.priority + 1;
      const holder = taken.get(priority);
      if (holder !== undefined) {
        invalid(where, `priority ${priority} of the ${tier} tier is already taken by ${holder}; two guardrails of one priority have no defined ` +
          'order (the API leaves it to the implementation). Give this construct another priority');
      }
    } else {
      priority = mine.length === 0 ? FIRST_DEFAULT_PRIORITY : mine[mine.length - 1].intent.priority + 1;
      while (taken.has(priority)) {
        priority++;
      }
    }
    if (priority > MAX_PRIORITY) {
      invalid(where, `no priority is left in the ${tier} tier (the next would be ${priority}; at most ${MAX_PRIORITY}); give the construct a lower priority`);
    }
    taken.set(priority, where);
    return priority;
  }

  private releasePriority(tier: GuardrailTier, priority: number): void {
    prioritiesOf(this)[tier].delete(priority);
  }

  /** The flows the admin guardrails promise: denied, or allowed, whatever the namespaces' policies say. */
  private promises(): FlowPromise[] {
    const out: FlowPromise[] = [];
    this.guardrails.filter((g) => g.intent.tier === GuardrailTier.ADMIN).forEach(({ intent }) => {
      const namedPorts = intent.ports.filter((p) => p.name !== undefined)
        .map((p, i) => ({ name: p.name!, port: NAMED_PORT_BASE + i, protocol: p.protocol }));
      const from = representative(intent.from, `${intent.name}-from`, []);
      const to = representative(intent.to, `${intent.name}-to`, namedPorts);
      const probes = intent.ports.length === 0 ? EVERY_PORT_PROBES : intent.ports.map((port) => {
        const named = namedPorts.find((n) => n.name === port.name);
        return { port: named?.port ?? port.portNumber ?? (port.protocol === 'UDP' ? 53 : 443), protocol: port.protocol };
      });
      for (const probe of probes) {
        const allowed = intent.action === GuardrailAction.ALLOW;
        out.push({
          id: `${intent.name}-${probe.protocol.toLowerCase()}-${probe.port}`,
          description: `${intent.from} ${allowed ? 'reaches' : 'does not reach'} ${intent.to} on ${probe.protocol}/${probe.port}, whatever the namespaces' policies say`,
          from,
          to,
          port: probe.port,
          protocol: probe.protocol,
          allowed,
          remedy: allowed
            ? 'or move this allow before the deny that shadows it (guardrails of a tier are evaluated in declaration order)'
            : 'or, when a guardrail allows it on purpose, declare the deny first',
        });
      }
    });
    return out;
  }
}

function prioritiesOf(scope: IConstruct): Record<GuardrailTier, Map<number, string>> {
  const app = scope.node.root;
  let taken = PRIORITIES.get(app);
  if (!taken) {
    taken = { [GuardrailTier.ADMIN]: new Map(), [GuardrailTier.BASELINE]: new Map() };
    PRIORITIES.set(app, taken);
  }
  return taken;
}

/** Refuses the peers a cluster-wide rule cannot name. */
function checkEnd(where: string, prop: 'from' | 'to', peer: Peer): void {
  if (!(peer instanceof Peer)) {
    invalid(where, `${prop} ${show(peer)} is not a Peer; use e.g. Peer.namespaces({}) (every pod) or Peer.podsInNamespace("db", { app: "postgres" })`);
  }
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.PODS:
      if (spec.namespaces.kind === 'same') {
        invalid(where, `${prop} ${peer} means pods of "the policy's namespace", and a cluster-wide guardrail has none: name the namespace ` +
          '(Peer.podsInNamespace("shop", {...}), Peer.namespace("shop")) or select namespaces (Peer.namespaces({}) for every pod)');
      }
      return;
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET:
    case PeerKind.ANYWHERE:
      return;
    case PeerKind.FQDN:
      invalid(where, `${prop} ${peer}: DNS names are not guardrail peers (ClusterNetworkPolicy's domainNames are experimental and allow only; ` +
        'Calico and Cilium deny rules match addresses); use Peer.ipBlock() with the published ranges, or CiliumL7Rule/ExternalHttpsEgress per namespace');
      break;
    case PeerKind.KUBE_API_SERVER:
      invalid(where, `${prop} ${peer}: name the API server by its addresses, Peer.ipBlock("<endpoint IP>/32") ` +
        '(kubectl get endpoints kubernetes -n default)');
      break;
    case PeerKind.CILIUM_ENTITY:
      invalid(where, `${prop} ${peer}: Cilium entities are not guardrail peers (not every engine has them); use pods, namespaces or IP blocks`);
      break;
    default:
      break;
  }
}

/** A stand-in for one end of a guardrail in its promises: a pod, or an address. */
function representative(peer: Peer, role: string, namedPorts: { name: string; port: number; protocol: string }[]): RepresentativePod | string {
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.PODS: {
      const ports = namedPorts.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
      if (spec.namespaces.kind === 'name') {
        return { namespace: spec.namespaces.name, role, labels: labelsSatisfying(spec.pods), ...(ports.length > 0 ? { ports } : {}) };
      }
      // Selected namespaces: a namespace of its own, with labels the selector selects.
      const selector = spec.namespaces.kind === 'selector' ? spec.namespaces.selector : undefined;
      return {
        // The role itself when it is a DNS label, else a slug with a hash of the whole: two roles never share a namespace.
        namespace: toUniqueDnsLabel(`netpol-proof-${role}`, 63),
        namespaceLabels: selector ? labelsSatisfying(selector) : {},
        role,
        labels: labelsSatisfying(spec.pods),
        ...(ports.length > 0 ? { ports } : {}),
      };
    }
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET: {
      const block = spec.blocks[0];
      const cidr = parseCidr(block.cidr, true);
      if (spec.kind === PeerKind.INTERNET && cidrContainsIp(cidr, INTERNET_ADDRESS)) {
        return INTERNET_ADDRESS;
      }
      const rest = cidrDifference(cidr, block.except.map((e) => parseCidr(e, true)));
      return hostAddressIn(parseCidr(rest[rest.length - 1] ?? block.cidr, true));
    }
    default:
      return INTERNET_ADDRESS;
  }
}
