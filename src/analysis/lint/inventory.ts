import { classify, ClusterCni, KindClass, PolicyCni } from '../kinds';
import { CalicoSemantics, NEWEST_CALICO } from '../semantics/calico/rule';
import { PodEndpoint } from '../types';
import { asObject } from './rule';
import { podsOfWorkload } from '../workloads';

/** Annotation listing suppressed rules, one `rule-id: reason` per line. */
export const SUPPRESS_ANNOTATION = 'cdk8s-netpol.io/suppress';

/** How a suppression annotation that is not a string shows up among the suppressions. */
export const NOT_A_STRING = '(not a string)';

/** Which policy language an object is written in. */
export type PolicyFlavour = 'kubernetes' | 'cluster' | 'cilium' | 'calico';

/** One input object, classified. */
export interface Item {
  readonly obj: any;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** What the catalog says the object is (`classify` in src/analysis/kinds.ts). */
  readonly category: KindClass['category'];
  /** Set for the policy objects the model evaluates (not for Calico Tiers, which carry no rules). */
  readonly flavour?: PolicyFlavour;
  /** A cluster-scoped object (a Namespace, a cluster-wide or global policy, ...): its namespace is undefined. */
  readonly clusterScoped: boolean;
  /** Rule id -> reason ('' when the reason is missing). */
  readonly suppressions: Map<string, string>;
}

/** A workload object of the input (a Pod, Deployment, Job, ...) and the pod that stands for its replicas. */
export interface Workload {
  readonly kind: string;
  readonly pod: PodEndpoint;
}

/**
 * Everything the rules look at. Nothing in it says who wrote an object: the lint judges every
 * object by its content alone (an annotation claiming the library made it grants nothing).
 */
export interface Inventory {
  readonly items: Item[];
  readonly cni: ClusterCni;
  /** The cluster's Calico release (`LinterOptions.calicoVersion`), for Calico policies' rules. */
  readonly calico: CalicoSemantics;
  /** Namespace name -> labels (with kubernetes.io/metadata.name), from Namespace objects and namespaced objects. */
  readonly namespaces: Map<string, Record<string, string>>;
  /** Representative pods of the workloads in the input. */
  readonly pods: PodEndpoint[];
  /** The workloads in the input, with their representative pods (those of `pods`, in order). */
  readonly workloads: Workload[];
}

const FLAVOUR: Record<PolicyCni, PolicyFlavour> = { Kubernetes: 'kubernetes', NetworkPolicyApi: 'cluster', Cilium: 'cilium', Calico: 'calico' };

/** Classifies the input objects once for every rule, as the catalog of kinds says. */
export function inventory(objects: any[], cni: ClusterCni, calico: CalicoSemantics = NEWEST_CALICO): Inventory {
  const namespaces = new Map<string, Record<string, string>>();
  const workloads: Workload[] = [];
  const items: Item[] = [];
  for (const obj of objects) {
    if (obj === null || typeof obj !== 'object') {
      continue;
    }
    const kind = String(obj.kind ?? '');
    const name = String(obj.metadata?.name ?? '');
    const c = classify(obj);
    const flavour = c.category === 'policy' ? FLAVOUR[c.cni] : undefined;
    const clusterScoped = c.clusterScoped;
    const namespace = clusterScoped ? undefined : String(obj.metadata?.namespace ?? 'default');
    if (c.category === 'namespace') {
      namespaces.set(name, { ...asObject(obj.metadata?.labels), 'kubernetes.io/metadata.name': name });
    } else if (namespace !== undefined && !namespaces.has(String(namespace))) {
      namespaces.set(String(namespace), { 'kubernetes.io/metadata.name': String(namespace) });
    }
    if (c.category === 'workload') {
      try {
        // Every pod the controller makes (a StatefulSet's replicas carry their own pod-name label).
        podsOfWorkload(obj).forEach((pod) => workloads.push({ kind, pod }));
      } catch {
        // A malformed workload says nothing about which pods exist.
      }
    }
    const annotations = asObject(obj.metadata?.annotations);
    items.push({
      obj,
      kind,
      namespace,
      name,
      category: c.category,
      flavour,
      clusterScoped,
      suppressions: parseSuppressions(annotations[SUPPRESS_ANNOTATION]),
    });
  }
  return { items, cni, calico, namespaces, pods: workloads.map((w) => w.pod), workloads };
}

/**
 * `rule-id: reason` per line (a leading "- " is allowed); a line without a reason maps to ''.
 * A value that is not a string maps the pseudo-id "(not a string)", which invalid-suppression reports.
 */
export function parseSuppressions(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined) {
    return out;
  }
  if (typeof value !== 'string') {
    out.set(NOT_A_STRING, '');
    return out;
  }
  for (const line of value.split('\n')) {
    const trimmed = line.trim().replace(/^-\s+/, '');
    if (trimmed.length === 0) {
      continue;
    }
    const colon = trimmed.indexOf(':');
    const id = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim();
    out.set(id, colon < 0 ? '' : trimmed.slice(colon + 1).trim());
  }
  return out;
}
