import { CiliumPeerRule, CiliumPolicy, CiliumPort, CiliumSubject, ciliumRuleBounds, matchCiliumRule, selectingSubjects } from './policy';
import { CILIUM_SELECTOR_LABELS } from './selector';
import { groupBy } from '../../../util/group-by';
import { Direction } from '../../direction';
import { PodSide } from '../../endpoint';
import { describeRequest } from '../../http';
import { DecisionCause, PolicyRef, SideDecision, decision, distinctRefs } from '../decision';
import { KubernetesEvaluator } from '../kubernetes/evaluator';
import { KubernetesPolicy } from '../kubernetes/policy';
import { SideEvaluator, SideQuery, describeFlow } from '../side-evaluator';

/** A rule that allows a connection: a Kubernetes NetworkPolicy rule or a Cilium allow rule. */
interface Allow {
  readonly policy: PolicyRef;
  /** "CiliumNetworkPolicy prod/x ingress rule #1 (from endpoints {app=web} on TCP/80)". */
  readonly text: string;
  /** The Cilium port entry it matched (with its L7 rules); undefined for L3-only and Kubernetes rules. */
  readonly port?: CiliumPort;
  readonly fqdn: boolean;
}

/** What the policies say about a pod in one direction, whatever the peer: computed once per pod and direction. */
interface Posture {
  readonly denyRules: readonly CiliumPeerRule[];
  readonly allowRules: readonly CiliumPeerRule[];
  readonly kubernetes: readonly KubernetesPolicy[];
  /** The policies that isolate the pod in this direction. */
  readonly isolatedBy: readonly PolicyRef[];
  /** "isolated by NetworkPolicy prod/a, CiliumNetworkPolicy prod/b", for reasons. */
  readonly isolated: string;
  /** Some allow rule uses toFQDNs, or the kube-apiserver entity: the reasons of a denial hint at them. */
  readonly usesFqdns: boolean;
  readonly usesApiServer: boolean;
}

/** What the policies of one side say about one connection, before L7 and FQDN checks. */
interface Collected {
  /** The deny rule that matched (or might match: `unknown` says why the model cannot tell), as text, with its policy. */
  readonly denied?: { readonly policy: PolicyRef; readonly text: string; readonly unknown?: string };
  readonly posture: Posture;
  readonly allows: Allow[];
}

/** Where the model's policies and pods come from; indexed by the model. */
export interface CiliumSources {
  /** Every CCNP. */
  readonly clusterwide: readonly CiliumPolicy[];
  /** The host policies (CCNP rules with a nodeSelector), which select nodes. */
  readonly hostPolicies: readonly CiliumPolicy[];
  /** The CNPs of a namespace. */
  policiesIn(namespace: string): readonly CiliumPolicy[];
  /** The Kubernetes NetworkPolicies that isolate `pod` in `direction`. */
  kubernetesIsolating(pod: PodSide, direction: Direction): readonly KubernetesPolicy[];
  /** The cluster DNS pods (the model's, or a stand-in), for the DNS-proxy check of FQDN rules. */
  dnsServers(): readonly PodSide[];
  /** Whether the model knows an address of the API server. */
  knowsApiServer(): boolean;
}

/**
 * Decides one side of a connection with Cilium's semantics (docs/semantics/cilium.md), Kubernetes
 * NetworkPolicies included as Cilium enforces them:
 * - a deny rule (ingressDeny/egressDeny) that matches decides, over every allow of every policy;
 * - the pod is isolated in a direction when a Kubernetes policy isolates it or a selecting Cilium
 *   rule has a section for that direction (unless enableDefaultDeny opts out);
 * - allows are the union of all selecting rules' and Kubernetes policies' rules;
 * - a port with HTTP rules allows only requests one of them matches, unless another rule allows
 *   the same peer on that port without L7 rules (Cilium merges it into an allow-all L7 rule);
 * - toFQDNs rules match a DNS name only when the pod's DNS lookups go through Cilium's DNS proxy
 *   (an allowed egress rule to kube-dns on port 53 with `rules.dns` admitting the name).
 */
export class CiliumEvaluator implements SideEvaluator {
  private readonly subjects = new Map<string, CiliumSubject[]>();
  private readonly postures = new Map<string, Posture>();

  constructor(private readonly sources: CiliumSources) {}

  public decide(query: SideQuery): SideDecision {
    const { pod, direction } = query;
    if (pod.hostNetwork) {
      // Only host policies with rules for this direction (default deny or deny rules) can change it.
      const hosts = this.sources.hostPolicies.filter((p) => p.subjects.some((s) => s.selectsNodes &&
        (s.defaultDeny[direction] || s.deny[direction].length > 0)));
      if (hosts.length > 0) {
        // docs/semantics/cilium.md#host-policies: the pod's traffic is its node's, which host
        // policies may select; the model knows no nodes, so it cannot decide and fails closed.
        const undecided = `the pod uses the node's network, so its traffic is the node's, and host ${hosts.length === 1 ? 'policy' : 'policies'} ` +
          `${hosts.map((p) => p.id).join(', ')} may select that node; the model does not evaluate host policies (it knows no nodes)`;
        return decision(direction, pod.id, DecisionCause.FAIL_CLOSED, { isolatedBy: hosts.map((p) => p.ref), undecided },
          `, failing closed: ${undecided}`);
      }
      return decision(direction, pod.id, DecisionCause.HOST_NETWORK, {}, ', the pod uses the node\'s network: it is no Cilium endpoint, and ' +
        `no host policy (nodeSelector) of the model isolates nodes for ${direction} or denies there`);
    }
    const found = this.collect(query, true);
    if (found.denied) {
      const { policy, text, unknown } = found.denied;
      if (unknown !== undefined) {
        return decision(direction, pod.id, DecisionCause.FAIL_CLOSED, { isolatedBy: [policy], deniedBy: policy, undecided: unknown },
          ` by ${text}; the model cannot tell whether the deny rule matches, so it fails closed: ${unknown}`);
      }
      return decision(direction, pod.id, DecisionCause.DENY_RULE, { isolatedBy: [policy], deniedBy: policy },
        ` by ${text}; deny rules take precedence over every allow`);
    }
    const { isolatedBy } = found.posture;
    let isolated = found.posture.isolated;
    let allows = found.allows;
    if (isolatedBy.length === 0) {
      // Opting out of default deny does not cover L7 (Cilium intro.rst): a selecting rule's HTTP
      // rules on a port still restrict the requests of the peers it matches there.
      allows = allows.filter((a) => !a.fqdn);
      const l7Only = query.protocol === 'TCP' && allows.length > 0 && allows.every((a) => a.port?.http !== undefined);
      if (!l7Only) {
        return decision(direction, pod.id, DecisionCause.NOT_ISOLATED, {}, ', not isolated (no policy selects it for ' +
          `${direction === 'ingress' ? 'Ingress' : 'Egress'} with default deny)`);
      }
      isolated = 'not in default deny (enableDefaultDeny opts out), but L7 rules apply on this port whatever enableDefaultDeny says';
    }
    const notes: string[] = [];
    if (allows.some((a) => a.fqdn) && query.other.kind === 'name') {
      const dns = this.dnsProxyPath(pod, query.other.name);
      if (dns.path === undefined) {
        allows = allows.filter((a) => !a.fqdn);
        notes.push(`${allows.length === 0 ? 'a toFQDNs rule matches the name, but ' : ''}${dns.problem}`);
      } else {
        allows = allows.map((a) => (a.fqdn ? { ...a, text: `${a.text}, the name learnt through Cilium's DNS proxy by ${dns.path}` } : a));
      }
    }
    if (allows.length === 0) {
      notes.push(...hints(query, found.posture, this.sources.knowsApiServer()));
      return decision(direction, pod.id, DecisionCause.NO_RULE_ALLOWS, { isolatedBy },
        `, ${isolated} and no rule of these allows ${describeFlow(query)}${notes.map((n) => `; ${n}`).join('')}`);
    }
    const l7 = (a: Allow) => (query.protocol === 'TCP' ? a.port?.http : undefined);
    const unrestricted = allows.find((a) => l7(a) === undefined);
    if (unrestricted) {
      const names = dnsNote(unrestricted);
      return decision(direction, pod.id, DecisionCause.ALLOWED, { isolatedBy, allowedBy: unrestricted.policy, ...(names === '' ? {} : { l7: 'DNS' }) },
        ` by ${unrestricted.text}${names}; ${isolated}`);
    }
    // Every allowing rule restricts HTTP requests (docs/semantics/cilium.md#http-rules).
    const listed = allows.map((a) => `${a.text} [${l7(a)!.map((h) => h.text).join('; ')}]`).join(', ');
    if (query.http === undefined) {
      const first = allows[0];
      return decision(direction, pod.id, DecisionCause.ALLOWED, { isolatedBy, allowedBy: first.policy, l7: 'HTTP' },
        ` at L3/L4 by ${first.text}; ${isolated}; L7 rules restrict the HTTP requests on this port: ${listed} (give the probe an http request to check one)`);
    }
    const request = query.http;
    for (const a of allows) {
      const rule = l7(a)!.find((h) => h.matches(request));
      if (rule) {
        return decision(direction, pod.id, DecisionCause.ALLOWED, { isolatedBy, allowedBy: a.policy },
          ` by ${a.text}, whose HTTP rule ${rule.text} matches ${describeRequest(request)}; ${isolated}`);
      }
    }
    return decision(direction, pod.id, DecisionCause.L7_DENIED, { isolatedBy: distinctRefs(isolatedBy, allows.map((a) => a.policy)) },
      ` at L7 (Cilium's proxy answers 403): ${describeRequest(request)} matches no HTTP rule of ${listed}; ${isolated}`);
  }

  /** The selecting rules of `pod`: its namespace's CNPs and every CCNP. */
  private subjectsOf(pod: PodSide): CiliumSubject[] {
    let found = this.subjects.get(pod.id);
    if (!found) {
      found = selectingSubjects([...this.sources.policiesIn(pod.namespace), ...this.sources.clusterwide], pod);
      this.subjects.set(pod.id, found);
    }
    return found;
  }

  public sidePolicies(pod: PodSide, direction: Direction): unknown[] {
    if (pod.hostNetwork) {
      return [];
    }
    // Every selecting subject (its rules of either direction decide DNS-proxy checks too) and the Kubernetes policies.
    const subjects = this.subjectsOf(pod);
    return [...new Set([...subjects.map((s) => s.manifest), ...this.posture(pod, direction).kubernetes.map((p) => p.source)])];
  }

  public portBounds(pod: PodSide, direction: Direction): number[] {
    if (pod.hostNetwork) {
      return [];
    }
    const posture = this.posture(pod, direction);
    const rules = [...posture.denyRules, ...posture.allowRules];
    return [...rules.flatMap(ciliumRuleBounds), ...posture.kubernetes.flatMap((p) => p.portBounds(direction))];
  }

  /** The rules of `pod` for `direction` and whether they isolate it: independent of the peer, so cached. */
  private posture(pod: PodSide, direction: Direction): Posture {
    const key = `${direction} ${pod.id}`;
    let found = this.postures.get(key);
    if (!found) {
      const subjects = this.subjectsOf(pod);
      const kubernetes = this.sources.kubernetesIsolating(pod, direction);
      const isolating = subjects.filter((s) => s.defaultDeny[direction]);
      const names = [...new Set([...kubernetes.map((p) => `NetworkPolicy ${p.id}`), ...isolating.map((s) => s.policy.id)])];
      found = {
        denyRules: subjects.flatMap((s) => s.deny[direction]),
        // Every selecting rule allows, also one that opts out of default deny.
        allowRules: subjects.flatMap((s) => s.allow[direction]),
        kubernetes,
        isolatedBy: distinctRefs(kubernetes.map((p) => p.ref), isolating.map((s) => s.policy)),
        isolated: `isolated by ${names.join(', ')}`,
        usesFqdns: subjects.some((s) => s.allow[direction].some((r) => r.l3.kind === 'fqdns')),
        usesApiServer: subjects.some((s) => s.allow[direction].some((r) => r.l3.kind === 'entities' && r.l3.entities.includes('kube-apiserver'))),
      };
      this.postures.set(key, found);
    }
    return found;
  }

  /**
   * The deny that matches, or the allows that do.
   * @param firstPlain stop at the first allow that neither restricts HTTP nor needs the DNS proxy: it decides
   */
  private collect(query: SideQuery, firstPlain: boolean): Collected {
    const posture = this.posture(query.pod, query.direction);
    for (const rule of posture.denyRules) {
      const match = matchCiliumRule(rule, query);
      if (match) {
        const unknown = match.unknown === undefined ? {} : { unknown: match.unknown };
        return { denied: { policy: rule.policy, text: `${rule.text} (${match.text})`, ...unknown }, posture, allows: [] };
      }
    }
    const allows: Allow[] = [];
    if (posture.isolatedBy.length === 0) {
      // Not in default deny: only the L7 rules of the allows matter (see decide()).
      for (const rule of posture.allowRules) {
        const match = matchCiliumRule(rule, query);
        if (match && match.unknown === undefined) {
          allows.push({ policy: rule.policy, text: `${rule.text} (${match.text})`, port: match.port, fqdn: match.fqdn });
        }
      }
      return { posture, allows };
    }
    for (const policy of posture.kubernetes) {
      // Cilium turns ipBlocks into CIDR rules, which match only peers outside the cluster; its
      // selectors see only the identity-relevant labels.
      const rule = policy.allowingRule(query.direction, query.other, query.destination, query.port, query.protocol, false, CILIUM_SELECTOR_LABELS);
      if (rule !== undefined) {
        allows.push({ policy: policy.ref, text: `NetworkPolicy ${rule}`, fqdn: false });
        if (firstPlain) {
          return { posture, allows };
        }
      }
    }
    for (const rule of posture.allowRules) {
      const match = matchCiliumRule(rule, query);
      // A match the model cannot be sure of (a DNS name against CIDR rules) does not allow.
      if (match && match.unknown === undefined) {
        allows.push({ policy: rule.policy, text: `${rule.text} (${match.text})`, port: match.port, fqdn: match.fqdn });
        if (firstPlain && !match.fqdn && (query.protocol !== 'TCP' || match.port?.http === undefined)) {
          return { posture, allows: allows.slice(-1) };
        }
      }
    }
    return { posture, allows };
  }

  /**
   * How `pod`'s lookups of `name` reach Cilium's DNS proxy, or why they do not: an allowed egress
   * rule to a DNS server on port 53 whose `rules.dns` admits the name (or, beside such a rule, an
   * L4 allow of the same port, which Cilium merges into an allow-all DNS rule). Without it Cilium
   * learns no address for the name and toFQDNs rules allow nothing
   * (docs/semantics/cilium.md#the-dns-proxy).
   */
  private dnsProxyPath(pod: PodSide, name: string): { path?: string; problem: string } {
    let refused: string | undefined;
    for (const server of this.sources.dnsServers()) {
      for (const protocol of ['UDP', 'TCP']) {
        const found = this.collect({ pod, direction: 'egress', other: server, destination: server, port: 53, protocol }, false);
        if (found.denied || found.posture.isolatedBy.length === 0) {
          continue;
        }
        const proxied = found.allows.filter((a) => a.port?.dns !== undefined);
        if (proxied.length === 0) {
          continue;
        }
        const admitting = proxied.find((a) => a.port!.dns!.some((p) => p.matches(name)));
        if (admitting) {
          return { path: admitting.text, problem: '' };
        }
        const plain = found.allows.find((a) => a.port?.dns === undefined && a.port?.http === undefined);
        if (plain) {
          return { path: `${proxied[0].text} merged with ${plain.text}`, problem: '' };
        }
        refused ??= `Cilium's DNS proxy refuses lookups of ${name}: the DNS rules of ${proxied.map((a) => a.text).join(', ')} allow only ` +
          `${proxied.flatMap((a) => a.port!.dns!.map((p) => p.text)).join(', ')}`;
      }
    }
    return {
      problem: refused ?? `${pod.id} has no allowed egress rule to kube-dns on port 53 with rules.dns, so Cilium's DNS proxy never sees ` +
        `its lookups, learns no address for ${name} and drops the traffic (docs/semantics/cilium.md#the-dns-proxy)`,
    };
  }
}

/**
 * The evaluator of a model that holds Cilium policies: its CNPs by namespace, its CCNPs, and its
 * Kubernetes NetworkPolicies as Cilium enforces them (selectors see only Cilium's identity labels).
 * @param dnsServers the cluster DNS pods (the model's, or a stand-in), for the DNS-proxy check of FQDN rules
 * @param knowsApiServer whether the model knows an address of the API server
 */
export function buildCiliumEvaluator(policies: readonly CiliumPolicy[], kubernetes: readonly KubernetesPolicy[],
  dnsServers: () => readonly PodSide[], knowsApiServer: () => boolean): CiliumEvaluator {
  const byNamespace = groupBy(policies.filter((p) => p.namespace !== undefined), (p) => p.namespace!);
  const kubernetesByNamespace = groupBy(kubernetes, (p) => p.namespace);
  const kubernetesEvaluator = new KubernetesEvaluator((namespace) => kubernetesByNamespace.get(namespace) ?? [], CILIUM_SELECTOR_LABELS);
  return new CiliumEvaluator({
    policiesIn: (namespace) => byNamespace.get(namespace) ?? [],
    clusterwide: policies.filter((p) => p.namespace === undefined),
    hostPolicies: policies.filter((p) => p.subjects.some((s) => s.selectsNodes)),
    kubernetesIsolating: (pod, direction) => kubernetesEvaluator.isolating(pod, direction),
    dnsServers,
    knowsApiServer,
  });
}

/** A note on DNS L7 rules of the deciding rule, when they restrict the names looked up. */
function dnsNote(allow: Allow): string {
  const dns = allow.port?.dns;
  if (dns === undefined || dns.some((p) => p.text === 'matchPattern: *')) {
    return '';
  }
  return `; DNS L7 rules restrict the names looked up to ${dns.map((p) => p.text).join(', ')}`;
}

/** Why nothing matched, when the destination or the rules explain it. */
function hints(query: SideQuery, posture: Posture, knowsApiServer: boolean): string[] {
  const out: string[] = [];
  if (query.other.kind === 'name') {
    out.push('a DNS name\'s addresses are unknown: CIDR rules match it only when they admit every address of the connection\'s family ' +
      '(0.0.0.0/0 without except; for a client with an IPv6 address also ::/0)');
  } else if (posture.usesFqdns) {
    out.push('toFQDNs rules match DNS names, not addresses: probe the name (e.g. to: "api.example.com")');
  }
  if (query.other.kind === 'external' && !knowsApiServer && posture.usesApiServer) {
    out.push('the model knows no API server address, so the kube-apiserver entity matches nothing (give one with NetworkModel.addKubeApiServer())');
  }
  return out;
}
