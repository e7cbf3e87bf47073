import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { PolicyEmitter } from './policy-emitter';
import { FlowPromise, PolicyProofs, RepresentativePod, dnsPromises } from './proofs';
import { checkBoolean, checkDnsPeer, checkPeer, checkPorts, requireProps } from './prop-checks';
import { SUPPRESS_ANNOTATION } from '../analysis/lint/inventory';
import { PolicyEngine } from '../core/engine';
import { PolicyIntent, PolicyRule } from '../core/intent';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector, checkLabels, checkNamespaceName } from '../core/selector';
import { invalid, show } from '../util/validation';

/** Props of `ZeroTrustNamespace`. */
export interface ZeroTrustNamespaceProps {
  /** The namespace to lock down (DNS-1123 label, e.g. "production"). */
  readonly namespace: string;
  /**
   * Also emit the `Namespace` object.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Labels of the emitted `Namespace` object; only with `createNamespace: true`.
   * @default - none
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Let every pod resolve names through the cluster DNS (UDP and TCP 53). Without it, a
   * default-deny egress breaks every name lookup in the namespace.
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * Where the cluster DNS runs, for `allowDns`.
   * @default Peer.kubeDns() - kube-system pods labelled k8s-app=kube-dns
   */
  readonly dnsPeer?: Peer;
  /**
   * Let pods of the namespace talk to each other freely (ingress and egress, all ports).
   * Convenient, but it also opens every path inside the namespace, e.g. frontend to database.
   * @default false
   */
  readonly allowSameNamespace?: boolean;
  /**
   * Deny egress too. With `false` the default deny covers ingress only: pods may still send
   * anywhere (no DNS allowance is needed, `allowDns` and `allowEgress` are refused), and other
   * constructs (a `ServiceGraph` with `restrictEgress`) may still restrict the egress of their pods.
   * @default true
   */
  readonly restrictEgress?: boolean;
  /**
   * The engine to render for.
   * @default - context key "cdk8s-netpol/engine", else PolicyEngine.KUBERNETES
   */
  readonly engine?: PolicyEngine;
}

/** The keys of ZeroTrustNamespaceProps: unknown keys are refused (a misspelt one would be ignored). */
const PROPS_KEYS: Record<keyof ZeroTrustNamespaceProps, true> = {
  namespace: true,
  createNamespace: true,
  namespaceLabels: true,
  allowDns: true,
  dnsPeer: true,
  allowSameNamespace: true,
  restrictEgress: true,
  engine: true,
};

/** The ports of the namespace's DNS egress. */
const DNS_PORTS = [Port.DNS_UDP, Port.DNS_TCP];

/** The ZeroTrustNamespace of each namespace, per app: one namespace has one. */
const LOCKED = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Default deny for a whole namespace: no pod may receive or send anything, except DNS
 * lookups (unless `allowDns: false`), same-namespace traffic (when `allowSameNamespace`) and
 * the namespace-wide exceptions added with `allowIngress` / `allowEgress`. With
 * `restrictEgress: false` it denies ingress only.
 *
 * Emits `default-deny`, `allow-dns`, `allow-same-namespace`, `allow-ingress` and
 * `allow-egress` policies (the last three only when used).
 *
 * Mind the namespace you lock down: in the namespace of the cluster DNS (kube-system), the
 * default deny also stops every other namespace's DNS queries unless the DNS pods are allowed
 * ingress on 53 from all namespaces.
 */
export class ZeroTrustNamespace extends Construct {
  /** The namespace this construct locks down. */
  public readonly namespace: string;
  /** The engine the policies are rendered for. */
  public readonly engine: PolicyEngine;
  /** The `Namespace` object, when `createNamespace` is true. */
  public readonly namespaceObject?: ApiObject;
  /** Whether egress is denied by default too. */
  public readonly restrictEgress: boolean;

  private readonly emitter: PolicyEmitter;
  private readonly where: string;
  private readonly ingressRules: PolicyRule[] = [];
  private readonly egressRules: PolicyRule[] = [];
  private readonly dnsPeer?: Peer;
  private ingressPolicy?: ApiObject;
  private egressPolicy?: ApiObject;

  constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps) {
    super(scope, id);
    this.where = describeConstruct('ZeroTrustNamespace', this);
    requireProps(this.where, props, '{ namespace: "production" }', PROPS_KEYS);
    checkNamespaceName(this.where, 'namespace', props.namespace);
    checkLabels(this.where, 'namespaceLabels', props.namespaceLabels);
    checkBoolean(this.where, 'createNamespace', props.createNamespace);
    checkBoolean(this.where, 'allowDns', props.allowDns);
    checkBoolean(this.where, 'allowSameNamespace', props.allowSameNamespace);
    checkBoolean(this.where, 'restrictEgress', props.restrictEgress);
    const restrictEgress = props.restrictEgress ?? true;
    if (!restrictEgress && (props.allowDns !== undefined || props.dnsPeer !== undefined)) {
      invalid(this.where, `${props.allowDns !== undefined ? 'allowDns' : 'dnsPeer'} is set but restrictEgress is false: egress stays open, ` +
        'so DNS needs no allowance; remove it');
    }
    if (props.namespaceLabels !== undefined && !props.createNamespace) {
      invalid(this.where, 'namespaceLabels is set but createNamespace is not true; the labels would not be emitted anywhere');
    }
    checkDnsPeer(this.where, props.dnsPeer);
    if (props.dnsPeer !== undefined && props.allowDns === false) {
      invalid(this.where, 'dnsPeer is set but allowDns is false; remove one of them');
    }
    this.namespace = props.namespace;
    this.dnsPeer = props.dnsPeer;
    this.restrictEgress = restrictEgress;
    this.engine = chooseEngine(this, props.engine, this.where);
    let locked = LOCKED.get(this.node.root);
    if (!locked) {
      locked = new Map();
      LOCKED.set(this.node.root, locked);
    }
    const other = locked.get(props.namespace);
    if (other !== undefined) {
      invalid(this.where, `namespace ${show(props.namespace)} is already locked down by ${other}; a namespace has one ZeroTrustNamespace ` +
        '(their default-deny and allow-dns policies would be one object): add the exceptions to that one with allowIngress/allowEgress');
    }
    locked.set(props.namespace, this.where);
    this.emitter = new PolicyEmitter(this, this.engine, this.where);

    if (props.createNamespace) {
      this.namespaceObject = new ApiObject(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: this.namespace, ...(props.namespaceLabels ? { labels: { ...props.namespaceLabels } } : {}) },
      });
    }

    const deny = this.emitter.emit('DefaultDeny', restrictEgress ? {
      name: 'default-deny',
      namespace: this.namespace,
      selector: LabelSelector.all(),
      ingress: [],
      egress: [],
      description: `Default deny: pods of ${this.namespace} receive and send nothing that another policy does not allow.`,
    } : {
      name: 'default-deny',
      namespace: this.namespace,
      selector: LabelSelector.all(),
      ingress: [],
      description: `Default deny for ingress: pods of ${this.namespace} receive nothing that another policy does not allow; their egress is not restricted here.`,
    });

    const allowDns = restrictEgress && (props.allowDns ?? true);
    if (restrictEgress && !allowDns) {
      // The lint judges this deny like any manifest, in the YAML too: the choice is stated on it,
      // with its reason, as a reviewer would write it by hand.
      deny.metadata.addAnnotation(SUPPRESS_ANNOTATION, `missing-dns-egress: allowDns is false on ${this.where}: DNS is left to other policies on purpose`);
    }
    if (allowDns) {
      const dns = props.dnsPeer ?? Peer.kubeDns();
      this.emitter.emit('AllowDns', {
        name: 'allow-dns',
        namespace: this.namespace,
        selector: LabelSelector.all(),
        egress: [{ peers: [dns], ports: DNS_PORTS }],
        description: `Every pod of ${this.namespace} may query ${dns} on UDP and TCP 53.`,
      });
    }

    // Made when proven, from copies taken now: the caller's props may change after this line.
    const namespace = this.namespace;
    const dns = allowDns ? props.dnsPeer ?? Peer.kubeDns() : undefined;
    const sameNamespace = props.allowSameNamespace ?? false;
    PolicyProofs._promise(this, 'ZeroTrustNamespace', this.where, () => {
      const member: RepresentativePod = { namespace, role: 'pod', labels: {} };
      const promises: FlowPromise[] = dns ? dnsPromises(member, dns, 'pod') : [];
      if (sameNamespace) {
        const neighbour: RepresentativePod = { namespace, role: 'neighbour', labels: {}, ports: [{ port: 8080 }] };
        promises.push({ id: 'same-namespace', description: `pods of ${namespace} reach each other (TCP/8080 tried)`, from: member, to: neighbour, port: 8080, protocol: 'TCP', allowed: true });
      }
      return promises;
    });

    if (props.allowSameNamespace) {
      const samePods = Peer.pods({});
      this.emitter.emit('AllowSameNamespace', {
        name: 'allow-same-namespace',
        namespace: this.namespace,
        selector: LabelSelector.all(),
        ingress: [{ peers: [samePods] }],
        ...(restrictEgress ? { egress: [{ peers: [samePods] }] } : {}),
        description: `Pods of ${this.namespace} may talk to each other on every port.`,
      });
    }
  }

  /**
   * Lets every pod of the namespace receive traffic from `from` on `ports`
   * (every port when none is given). Emitted in the `allow-ingress` policy.
   */
  public allowIngress(from: Peer, ...ports: Port[]): void {
    this.addRule('ingress', from, ports);
  }

  /**
   * Lets every pod of the namespace send traffic to `to` on `ports`
   * (every port when none is given). Emitted in the `allow-egress` policy.
   */
  public allowEgress(to: Peer, ...ports: Port[]): void {
    this.addRule('egress', to, ports);
  }

  private addRule(direction: 'ingress' | 'egress', peer: Peer, ports: Port[]): void {
    const method = direction === 'ingress' ? 'allowIngress()' : 'allowEgress()';
    const where = `${this.where}.${method}`;
    if (peer === undefined) {
      invalid(where, `${direction === 'ingress' ? 'from' : 'to'} is required; use e.g. Peer.namespace("monitoring")`);
    }
    checkPeer(where, direction === 'ingress' ? 'from' : 'to', peer, 'Peer.namespace("monitoring")');
    if (direction === 'egress' && !this.restrictEgress) {
      invalid(where, 'egress is not restricted (restrictEgress: false), so the namespace\'s pods may already send anywhere; remove this call, ' +
        'or set restrictEgress: true');
    }
    if (ports.length > 0) {
      checkPorts(where, 'ports', ports);
    }
    const rules = direction === 'ingress' ? this.ingressRules : this.egressRules;
    const rule: PolicyRule = { peers: [peer], ports: [...ports] };
    // Render with the new rule before keeping it, so an engine error stops this call and nothing else.
    this.emitter.check(this.growingIntent(direction, [...rules, rule]), where);
    rules.push(rule);
    const existing = direction === 'ingress' ? this.ingressPolicy : this.egressPolicy;
    if (existing) {
      this.emitter.refresh(existing, this.growingIntent(direction, rules));
      return;
    }
    const id = direction === 'ingress' ? 'AllowIngress' : 'AllowEgress';
    const created = this.emitter.emitGrowing(id, () => this.growingIntent(direction, rules));
    if (direction === 'ingress') {
      this.ingressPolicy = created;
    } else {
      this.egressPolicy = created;
    }
  }

  private growingIntent(direction: 'ingress' | 'egress', rules: PolicyRule[]): PolicyIntent {
    const describe = (r: PolicyRule) => `${r.peers.join(', ')}${r.ports && r.ports.length > 0 ? ` on ${r.ports.join(', ')}` : ' on every port'}`;
    return {
      name: `allow-${direction}`,
      namespace: this.namespace,
      selector: LabelSelector.all(),
      [direction]: [...rules],
      // FQDN egress on Cilium also opens DNS through its proxy: to the namespace's DNS.
      dns: this.dnsPeer,
      description: direction === 'ingress'
        ? `Every pod of ${this.namespace} may receive traffic from: ${rules.map(describe).join('; ')}.`
        : `Every pod of ${this.namespace} may send traffic to: ${rules.map(describe).join('; ')}.`,
    };
  }
}
