// Which namespace labels the policies select by: a replay must know those labels of every
// namespace its flows touch, or the verdict may be wrong either way (a namespaceSelector on an
// unknown label that admits, or denies). The name labels are always known: the model adds them.

/** Namespace labels the model knows of every namespace: its name, as Kubernetes and Calico label it. */
const ALWAYS_KNOWN = new Set(['kubernetes.io/metadata.name', 'projectcalico.org/name']);
/** How Cilium writes a namespace label in an endpoint selector. */
const CILIUM_NAMESPACE_LABEL = /^(?:k8s:)?io\.cilium\.k8s\.namespace\.labels\.(.+)$/;
/** A label key of a Calico selector expression, before its operator or inside has(). */
const CALICO_KEY = /has\(\s*([^)\s]+)\s*\)|([A-Za-z0-9_./-]+)\s*(?:==|!=|\bnot\s+in\b|\bin\b|\bcontains\b|\bstarts\s+with\b|\bends\s+with\b)/g;

/** The namespace labels a policy selects by: anywhere, and where they choose the pods it applies to. */
export interface NamespaceLabelUse {
  /** Every namespace label key (but the name labels); `*` when a Calico selector could not be read. */
  readonly keys: string[];
  /** Those that decide which pods the policy applies to (Calico's spec.namespaceSelector, a ClusterNetworkPolicy's subject, a Cilium endpointSelector). */
  readonly subjectKeys: string[];
}

/** The namespace labels one policy object selects by. */
export function namespaceLabelUse(policy: unknown): NamespaceLabelUse {
  const spec = (policy as any)?.spec;
  const specs: unknown[] = Array.isArray((policy as any)?.specs) ? (policy as any).specs : [];
  const keys = collect([spec, ...specs]);
  const subject = collect([
    typeof spec?.namespaceSelector === 'string' ? { namespaceSelector: spec.namespaceSelector } : undefined,
    spec?.subject,
    spec?.endpointSelector !== undefined ? { endpointSelector: spec.endpointSelector } : undefined,
    ...specs.map((s: any) => (s?.endpointSelector !== undefined ? { endpointSelector: s.endpointSelector } : undefined)),
  ]);
  return { keys, subjectKeys: subject };
}

/** The namespace label keys selected by anywhere in these values (but the name labels), sorted. */
function collect(values: readonly unknown[]): string[] {
  const keys = new Set<string>();
  const selectorKeys = (selector: any) => {
    if (selector === null || typeof selector !== 'object') {
      return;
    }
    Object.keys(selector.matchLabels ?? {}).forEach((k) => keys.add(k));
    (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).forEach((e: any) => {
      if (typeof e?.key === 'string') {
        keys.add(e.key);
      }
    });
  };
  const calicoKeys = (text: string) => {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed === 'all()' || trimmed === 'global()') {
      return;
    }
    let found = false;
    for (const m of trimmed.matchAll(CALICO_KEY)) {
      keys.add(m[1] ?? m[2]);
      found = true;
    }
    if (!found) {
      keys.add('*');
    }
  };
  const walk = (value: unknown, depth: number) => {
    if (depth > 64 || value === null || typeof value !== 'object') {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v) => walk(v, depth + 1));
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'namespaceSelector' || key === 'namespaces') {
        if (typeof child === 'string') {
          calicoKeys(child);
        } else {
          selectorKeys(child);
        }
      } else if (key === 'matchLabels' && child !== null && typeof child === 'object') {
        Object.keys(child).forEach((k) => {
          const m = CILIUM_NAMESPACE_LABEL.exec(k);
          if (m) {
            keys.add(m[1]);
          }
        });
      } else if (key === 'matchExpressions' && Array.isArray(child)) {
        child.forEach((e: any) => {
          const m = typeof e?.key === 'string' ? CILIUM_NAMESPACE_LABEL.exec(e.key) : null;
          if (m) {
            keys.add(m[1]);
          }
        });
      }
      walk(child, depth + 1);
    }
  };
  values.forEach((v) => walk(v, 0));
  return [...keys].filter((k) => !ALWAYS_KNOWN.has(k)).sort();
}
