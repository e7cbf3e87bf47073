import { NetworkModel } from '../../model';
import { DecisionCause } from '../../semantics/decision';
import { Inventory, Item } from '../inventory';
import { Severity, asList, asObject, defineRule, isEmptySelector, modelCni } from '../rule';

/** The stand-in for a workload added later: no labels. */
const NEW_POD = 'netpol-lint-new-workload';
/** A client outside the cluster (TEST-NET-3), whose connection only the new pod's ingress side decides. */
const STRANGER = '203.0.113.10';

/** Calico's `types` when unset: Ingress, or Egress alone when there are egress rules only (api/pkg/defaults). */
function calicoTypes(spec: any): string[] {
  const given = asList(spec.types);
  if (given.length > 0) {
    return given;
  }
  const ingress = asList(spec.ingress).length > 0;
  const egress = asList(spec.egress).length > 0;
  return egress && !ingress ? ['Egress'] : egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

const selectsAll = (selector: unknown) => selector === undefined || selector === null || (typeof selector === 'string' && ['', 'all()'].includes(selector.trim()));

/**
 * Does the object deny all ingress to every pod of `namespace` (or of every namespace, for the
 * cluster-wide kinds)?
 */
function deniesIngressIn(item: Item, namespace: string): boolean {
  const spec = asObject(item.obj.spec);
  switch (item.flavour) {
    case 'kubernetes': {
      const types = asList(spec.policyTypes).length > 0 ? asList(spec.policyTypes) : ['Ingress'];
      return item.namespace === namespace && isEmptySelector(spec.podSelector) && types.includes('Ingress') && asList(spec.ingress).length === 0;
    }
    case 'cilium': {
      const scope = item.clusterScoped || item.namespace === namespace;
      const ingress = asList(spec.ingress);
      return scope && spec.endpointSelector !== undefined && isEmptySelector(spec.endpointSelector) && ingress.length > 0 &&
        ingress.every((rule: any) => Object.keys(asObject(rule)).length === 0);
    }
    case 'calico': {
      const scope = item.clusterScoped ? selectsAll(spec.namespaceSelector) : item.namespace === namespace;
      return scope && selectsAll(spec.selector) && calicoTypes(spec).includes('Ingress') && asList(spec.ingress).length === 0;
    }
    default:
      return false;
  }
}

/**
 * Whether the model isolates the ingress of a new pod of `namespace` (one without labels, as a
 * workload added tomorrow may be) under `policies`: a policy that selects every pod of the
 * namespace and allows some peers (the ingress controller, say) is a default deny for every other
 * peer, which the pattern above does not see. Without policies nothing isolates, and no model is
 * built; the pattern is checked first, so the model is consulted only where it found no deny.
 */
function isolatesNewPods(inventory: Inventory, namespace: string, policies: Item[]): boolean {
  if (policies.length === 0) {
    return false;
  }
  const model = new NetworkModel({ cni: modelCni(inventory) });
  try {
    model.addNamespace(namespace, inventory.namespaces.get(namespace));
    model.addPod({ namespace, name: NEW_POD });
  } catch {
    return false; // an invalid namespace name or labels: api-server-rejects reports them
  }
  for (const item of policies) {
    try {
      model.addManifest(item.obj);
    } catch {
      // Refused or invalid objects are other rules' business; the rest still decides.
    }
  }
  try {
    const side = model._explain({ from: STRANGER, to: `${namespace}/${NEW_POD}`, port: 8080 }).sides.find((s) => s.direction === 'ingress');
    return side !== undefined && side.cause !== DecisionCause.NOT_ISOLATED && side.cause !== DecisionCause.PASSED_TO_PROFILE &&
      side.cause !== DecisionCause.PASSED_TO_DEFAULT;
  } catch {
    return false;
  }
}

/** Namespaces whose workloads run without a default deny. */
export const namespaceWithoutDefaultDeny = defineRule({
  id: 'namespace-without-default-deny',
  severity: Severity.WARNING,
  title: 'A namespace with workloads has no default-deny policy',
  explanation: 'Pods not selected by any policy accept traffic from everywhere. Without a policy that selects every pod of the ' +
    'namespace and allows nothing (`podSelector: {}` with policyTypes [Ingress, Egress] and no rules; or a Cilium or Calico ' +
    'equivalent, namespaced or cluster-wide), every new workload starts open. Add a default deny (ZeroTrustNamespace). ' +
    'The finding is about the Namespace: suppress it on the Namespace object.',
}, (inventory) => {
  const withWorkloads = [...new Set(inventory.pods.map((p) => p.namespace))];
  if (withWorkloads.length === 0) {
    return [];
  }
  // One pass over the objects (asking every object about every namespace was quadratic): a
  // namespaced policy can only deny in its own namespace; cluster-wide ones are asked per namespace.
  const denied = new Set<string>();
  const clusterWide: Item[] = [];
  const namespaceObjects = new Map<string, Item>();
  const policiesIn = new Map<string, Item[]>();
  for (const item of inventory.items) {
    if (item.category === 'namespace') {
      if (!namespaceObjects.has(item.name)) {
        namespaceObjects.set(item.name, item);
      }
    } else if (item.namespace === undefined) {
      clusterWide.push(item);
    } else if (deniesIngressIn(item, item.namespace)) {
      denied.add(item.namespace);
    } else if (item.flavour !== undefined) {
      policiesIn.set(item.namespace, [...(policiesIn.get(item.namespace) ?? []), item]);
    }
  }
  const clusterPolicies = clusterWide.filter((item) => item.category === 'policy' || item.category === 'tier');
  return withWorkloads
    .filter((namespace) => !denied.has(namespace) && !clusterWide.some((item) => deniesIngressIn(item, namespace)))
    .filter((namespace) => !isolatesNewPods(inventory, namespace, [...clusterPolicies, ...policiesIn.get(namespace) ?? []]))
    .map((namespace) => {
      const item: Item = namespaceObjects.get(namespace)
        ?? { obj: {}, kind: 'Namespace', name: namespace, category: 'namespace', clusterScoped: true, suppressions: new Map() };
      return { item, message: `Namespace ${namespace}: has workloads but no default-deny policy, so every pod not selected by a policy accepts all traffic; add one (e.g. ZeroTrustNamespace)` };
    });
});
