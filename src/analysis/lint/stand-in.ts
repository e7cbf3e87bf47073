import { calicoSelectorExample, parseCalicoSelector } from '../../util/calico-selector';
import { compileLabelSelector, exampleLabels } from '../labels';

/** The label value a stand-in pod gets for a key a selector only requires to exist. */
const ANY_VALUE = 'netpol-lint';

/**
 * Labels of a pod that a Kubernetes label selector selects, for rules that probe the model when
 * the input shows no workloads: the selector's `matchLabels`, the first value of each `In`, a
 * value for each `Exists`; `NotIn` and `DoesNotExist` are met by leaving the key out. Undefined
 * when the selector is malformed (api-server-rejects reports it) or no pod can satisfy it
 * (`app in (a)` with `app notin (a)`): the result is checked against the selector itself.
 */
export function standInLabels(selector: unknown): Record<string, string> | undefined {
  let matches: (labels: Record<string, string>) => boolean;
  try {
    matches = compileLabelSelector(selector, 'podSelector');
  } catch {
    return undefined;
  }
  const labels = exampleLabels(selector, ANY_VALUE);
  return matches(labels) ? labels : undefined;
}

/** Cilium label sources a selector key may start with; the stand-in's Kubernetes labels carry none. */
const CILIUM_SOURCES = /^(k8s|any):/;

/**
 * Labels of a pod in the policy's namespace that a namespaced policy of any flavour selects
 * (Kubernetes `podSelector`, Cilium `endpointSelector`, Calico `selector`), or undefined when
 * the lint cannot make one (a selector on Cilium's reserved or namespace labels, a Calico
 * selector with `!=`, `not`, `||`, ...). Callers check with the model that the policy does select it.
 */
export function standInLabelsOf(flavour: 'kubernetes' | 'cilium' | 'calico', spec: any): Record<string, string> | undefined {
  switch (flavour) {
    case 'kubernetes':
      return standInLabels(spec?.podSelector);
    case 'cilium': {
      const labels = standInLabels(spec?.endpointSelector);
      if (labels === undefined) {
        return undefined;
      }
      const plain: Record<string, string> = {};
      for (const [key, value] of Object.entries(labels)) {
        const bare = key.replace(CILIUM_SOURCES, '');
        if (bare.includes(':') || bare.startsWith('io.kubernetes.') || bare.startsWith('io.cilium.')) {
          return undefined;
        }
        plain[bare] = value;
      }
      return plain;
    }
    case 'calico': {
      const selector = spec?.selector ?? 'all()';
      try {
        return typeof selector === 'string' ? calicoSelectorExample(parseCalicoSelector(selector.trim() === '' ? 'all()' : selector)) : undefined;
      } catch {
        return undefined;
      }
    }
  }
}
