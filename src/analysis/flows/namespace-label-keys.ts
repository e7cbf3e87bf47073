// Which namespace labels the policies select by: a replay must know those labels of every
// namespace its flows touch, or the verdict may be wrong either way (a namespaceSelector on an
// unknown label that admits, or denies). The name labels are always known: the model adds them.

/** Namespace labels the model knows of every namespace: its name, as Kubernetes and Calico label it. */
const ALWAYS_KNOWN = new Set(['kubernetes.io/metadata.name', 'projectcalico.org/name']);
/** How Cilium writes a namespace label in an endpoint selector. */
const CILIUM_NAMESPACE_LABEL = /^(?:k8s:|any:)?io\.cilium\.k8s\.namespace\.labels\.(.+)$/;
/** How Calico exposes a namespace's labels to pod selectors. */
const CALICO_NAMESPACE_PREFIX = 'pcns.';
/** A label key of a Calico selector expression, before its operator or inside has(). */
const CALICO_KEY = /has\(\s*([^)\s]+)\s*\)|([A-Za-z0-9_./-]+)\s*(?:==|!=|\bnot\s+in\b|\bin\b|\bcontains\b|\bstarts\s+with\b|\bends\s+with\b)/g;

/**
 * The namespace labels a policy selects by, by what they can change: which pods it applies to
 * (subject), what its allowing rules admit, what its denying rules refuse (a Pass counts as both:
 * it hands the flow to what comes next).
 */
export interface NamespaceLabelUse {
  /** Keys deciding which pods the policy applies to (Calico's namespaceSelector and `pcns.` labels in its selector, a ClusterNetworkPolicy's subject, a Cilium endpointSelector). */
  readonly subjectKeys: string[];
  /** Keys in rules that allow (Kubernetes and Cilium rules, Calico and ClusterNetworkPolicy Allow/Accept and Pass). */
  readonly allowKeys: string[];
  /** Keys in rules that deny (Cilium ingressDeny/egressDeny, Calico and ClusterNetworkPolicy Deny and Pass). */
  readonly denyKeys: string[];
}

/** The namespace labels one policy object selects by; `*` when a Calico selector could not be read. */
export function namespaceLabelUse(policy: unknown): NamespaceLabelUse {
  const obj = policy as any;
  const specs: any[] = [obj?.spec, ...(Array.isArray(obj?.specs) ? obj.specs : [])].filter((s) => s !== null && typeof s === 'object');
  const subject: unknown[] = [];
  const allow: unknown[] = [];
  const deny: unknown[] = [];
  for (const spec of specs) {
    if (typeof spec.namespaceSelector === 'string') {
      subject.push({ namespaceSelector: spec.namespaceSelector });
    }
    if (typeof spec.selector === 'string') {
      subject.push({ selector: spec.selector });
    }
    subject.push(spec.subject, spec.endpointSelector !== undefined ? { endpointSelector: spec.endpointSelector } : undefined);
    for (const direction of ['ingress', 'egress']) {
      for (const rule of Array.isArray(spec[direction]) ? spec[direction] : []) {
        const action = typeof rule?.action === 'string' ? rule.action : 'Allow';
        if (action === 'Deny' || action === 'Pass') {
          deny.push(rule);
        }
        if (action !== 'Deny' && action !== 'Log') {
          allow.push(rule);
        }
      }
    }
    deny.push(spec.ingressDeny, spec.egressDeny);
  }
  return { subjectKeys: collect(subject), allowKeys: collect(allow), denyKeys: collect(deny) };
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
      } else if (key === 'selector' && typeof child === 'string') {
        // A Calico pod selector may name namespace labels as pcns.<key>.
        for (const m of child.matchAll(CALICO_KEY)) {
          const k = m[1] ?? m[2];
          if (k.startsWith(CALICO_NAMESPACE_PREFIX)) {
            keys.add(k.slice(CALICO_NAMESPACE_PREFIX.length));
          }
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
