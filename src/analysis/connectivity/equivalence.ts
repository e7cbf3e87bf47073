import { Endpoint, PodSide } from '../endpoint';

/**
 * Which endpoints the policies cannot tell apart, so that an estate's connectivity is computed
 * once per kind of endpoint instead of once per pod.
 *
 * A side of a connection (a pod's egress or ingress) is decided by the policies that can select
 * the pod: those of its namespace and the cluster-wide ones (a namespaced policy selects pods of
 * its own namespace only, on every engine). Their selectors can only compare a label (or the
 * namespace's name, or a namespace label) with the values they spell out, or test that a key is
 * present. So, seen from the policies of one namespace, two label values neither of them names
 * are alike: both fail every comparison and pass every presence test. Replacing such values with
 * one placeholder gives a key that two endpoints share exactly when no such policy can tell them
 * apart; the ports (named ports resolve on the destination), the address and host networking
 * are kept as they are.
 *
 * The values a set of policies names are over-approximated as every string in them and every
 * quoted string inside those (Calico selectors quote their values): a string too many only
 * splits a group. Operators that match parts of a value (Calico's `contains`, `starts with`,
 * `ends with`) cannot be abstracted this way: policies that use one make their namespace keep
 * every value.
 */

/** Calico selector operators that match part of a value. */
const PARTIAL_MATCH = /\b(contains|starts\s+with|ends\s+with)\b/;
const QUOTED = /'([^']*)'|"([^"]*)"/g;

/** The placeholder of a value no policy names: not a valid label value, so no policy can name it. */
const OTHER = '\u0000';
const SEP = '\u0001';

/** What the policies that decide the sides of one namespace's pods can tell apart. */
export interface Vocabulary {
  /** The values they name; undefined when they use partial matches and every value counts. */
  readonly values?: ReadonlySet<string>;
}

/** Adds every string in `value` (and the quoted strings inside them) to `into`; true when a partial-match operator shows up. */
function collectStrings(value: unknown, into: Set<string>): boolean {
  let partial = false;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      into.add(item);
      for (const m of item.matchAll(QUOTED)) {
        into.add(m[1] ?? m[2]);
      }
      partial ||= PARTIAL_MATCH.test(item);
    } else if (Array.isArray(item)) {
      stack.push(...item);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        into.add(key);
        stack.push(child);
      }
    }
  }
  return partial;
}

/** The vocabularies of a model's policies, per namespace (made on first use). */
export class PolicyVocabularies {
  private readonly clusterWide = new Set<string>();
  private readonly clusterPartial: boolean;
  private readonly byNamespace = new Map<string, unknown[]>();
  private readonly made = new Map<string, Vocabulary>();

  /** @param policyObjects the model's policy objects; one without a namespace counts for every namespace */
  constructor(policyObjects: readonly any[]) {
    let partial = false;
    for (const obj of policyObjects) {
      const namespace = obj?.metadata?.namespace;
      if (typeof namespace === 'string') {
        this.byNamespace.set(namespace, [...(this.byNamespace.get(namespace) ?? []), obj]);
      } else {
        partial = collectStrings(obj, this.clusterWide) || partial;
      }
    }
    this.clusterPartial = partial;
  }

  /** The vocabulary of the policies that can decide a side of a pod in `namespace`. */
  public of(namespace: string): Vocabulary {
    let found = this.made.get(namespace);
    if (!found) {
      const values = new Set(this.clusterWide);
      values.add(namespace);
      let partial = this.clusterPartial;
      for (const obj of this.byNamespace.get(namespace) ?? []) {
        partial = collectStrings(obj, values) || partial;
      }
      found = partial ? {} : { values };
      this.made.set(namespace, found);
    }
    return found;
  }
}

function word(value: string, vocabulary: Vocabulary): string {
  return vocabulary.values === undefined || vocabulary.values.has(value) ? value : OTHER;
}

function labelsKey(labels: Readonly<Record<string, string>>, vocabulary: Vocabulary): string {
  return Object.keys(labels).sort().map((k) => `${k}=${word(labels[k], vocabulary)}`).join(SEP);
}

/**
 * The key of an endpoint as a peer of a side decided by `vocabulary`'s policies: equal for two
 * endpoints exactly when those policies cannot tell them apart. `withPorts` when the peer is the
 * destination, on whose container ports named ports resolve.
 */
export function peerKey(endpoint: Endpoint, vocabulary: Vocabulary, withPorts: boolean): string {
  if (endpoint.kind !== 'pod') {
    return `${endpoint.kind}:${endpoint.id}`;
  }
  return [
    'pod',
    word(endpoint.namespace, vocabulary),
    labelsKey(endpoint.namespaceLabels, vocabulary),
    labelsKey(endpoint.labels, vocabulary),
    withPorts ? portsKey(endpoint) : '',
    endpoint.ip ?? '',
    endpoint.hostNetwork ? 'host' : '',
    endpoint.addressRanges !== undefined ? 'ranges' : '',
  ].join('\u0002');
}

/** The key of a pod as the subject of its own sides: its namespace, and what its policies can tell. */
export function subjectKey(pod: PodSide, vocabulary: Vocabulary): string {
  return `${pod.namespace}\u0003${peerKey(pod, vocabulary, true)}`;
}

function portsKey(pod: PodSide): string {
  return pod.ports.map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}`).sort().join(SEP);
}
