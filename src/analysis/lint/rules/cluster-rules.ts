import { compileLabelSelector } from '../../labels';
import { Item } from '../inventory';
import { asList, asObject, canonicalSelector } from '../rule';

/*
 * What the ClusterNetworkPolicy lint rules share: the policies of the input as plain data, read
 * tolerantly (an object the API server would refuse is api-server-rejects' business, and is skipped).
 */

/** A ClusterNetworkPolicy of the input, as the rules read it. */
export interface ClusterItem {
  readonly item: Item;
  /** The subject, as written. */
  readonly subject: unknown;
  readonly tier: 'Admin' | 'Baseline';
  readonly priority: number;
  readonly rules: Record<'ingress' | 'egress', readonly ClusterRuleData[]>;
}

export interface ClusterRuleData {
  readonly index: number;
  readonly name?: string;
  readonly action: string;
  readonly peers: readonly any[];
  /** Undefined: every protocol and port. */
  readonly protocols?: readonly any[];
}

/** The input's ClusterNetworkPolicies whose tier and priority are sound. */
export function clusterItems(items: readonly Item[]): ClusterItem[] {
  return items.filter((i) => i.flavour === 'cluster').flatMap((item) => {
    const spec = asObject(item.obj.spec);
    if ((spec.tier !== 'Admin' && spec.tier !== 'Baseline') || typeof spec.priority !== 'number') {
      return [];
    }
    const rules = (direction: 'ingress' | 'egress') => asList(spec[direction]).map((r: any, index: number) => ({
      index,
      ...(typeof r?.name === 'string' ? { name: r.name } : {}),
      action: String(r?.action),
      peers: asList(r?.[direction === 'ingress' ? 'from' : 'to']),
      ...(Array.isArray(r?.protocols) ? { protocols: r.protocols } : {}),
    }));
    return [{ item, subject: spec.subject, tier: spec.tier, priority: spec.priority, rules: { ingress: rules('ingress'), egress: rules('egress') } }];
  });
}

/** '#2 "deny-all"' for messages. */
export function ruleName(rule: ClusterRuleData): string {
  return `#${rule.index + 1}${rule.name !== undefined ? ` "${rule.name}"` : ''}`;
}

const DNS_NAMESPACE_LABELS = { 'kubernetes.io/metadata.name': 'kube-system' };
const DNS_POD_LABELS = { 'k8s-app': 'kube-dns' };

function selects(selector: unknown, labels: Record<string, string>): boolean {
  try {
    return compileLabelSelector(selector ?? {}, 'selector')(labels);
  } catch {
    return false;
  }
}

/** Whether one of the peers matches the cluster DNS pods (kube-system, k8s-app=kube-dns; their address unknown: only a /0 network holds it). */
export function coversDns(peers: readonly any[]): boolean {
  return peers.some((peer) => {
    if (peer?.namespaces != null) {
      return selects(peer.namespaces, DNS_NAMESPACE_LABELS);
    }
    if (peer?.pods != null) {
      return selects(peer.pods?.namespaceSelector, DNS_NAMESPACE_LABELS) && selects(peer.pods?.podSelector, DNS_POD_LABELS);
    }
    return asList(peer?.networks).some((n) => n === '0.0.0.0/0' || n === '::/0');
  });
}

/** Whether the protocols (undefined: every one) include UDP/53. */
export function coversUdp53(protocols: readonly any[] | undefined): boolean {
  if (protocols === undefined) {
    return true;
  }
  return protocols.some((p) => {
    const port = asObject(asObject(p?.udp).destinationPort);
    const range = asObject(port.range);
    return port.number === 53 || (typeof range.start === 'number' && typeof range.end === 'number' && range.start <= 53 && 53 <= range.end) ||
      p?.destinationNamedPort === 'dns';
  });
}

/**
 * Whether subject `a` selects at least the pods subject `b` does, as far as the text tells: the
 * same subject, or every pod (`namespaces: {}`, or `pods` with empty selectors).
 */
export function subjectCovers(a: unknown, b: unknown): boolean {
  const every = (s: any) => (s?.namespaces !== undefined && isEmptySelector(s.namespaces)) ||
    (s?.pods !== undefined && isEmptySelector(s.pods?.podSelector) && isEmptySelector(s.pods?.namespaceSelector));
  return every(a) || canonicalSubject(a) === canonicalSubject(b);
}

/** A subject in one spelling (key order and list order do not matter), for comparing subjects. */
function canonicalSubject(subject: any): string {
  if (subject?.namespaces !== undefined) {
    return JSON.stringify(['namespaces', canonicalSelector(subject.namespaces)]);
  }
  if (subject?.pods !== undefined) {
    return JSON.stringify(['pods', canonicalSelector(subject.pods?.namespaceSelector), canonicalSelector(subject.pods?.podSelector)]);
  }
  return JSON.stringify(['other', subject]);
}

function isEmptySelector(selector: any): boolean {
  return selector === undefined || selector === null ||
    (asList(selector.matchExpressions).length === 0 && Object.keys(asObject(selector.matchLabels)).length === 0);
}

/** Whether two subjects certainly select no pod in common, as far as the text tells: namespaces by two different names. */
export function subjectsDisjoint(a: unknown, b: unknown): boolean {
  const name = (s: any): string | undefined => {
    const selector = s?.namespaces ?? s?.pods?.namespaceSelector;
    const labels = asObject(selector?.matchLabels);
    return asList(selector?.matchExpressions).length === 0 && typeof labels['kubernetes.io/metadata.name'] === 'string'
      ? labels['kubernetes.io/metadata.name'] : undefined;
  };
  const [x, y] = [name(a), name(b)];
  return x !== undefined && y !== undefined && x !== y;
}
