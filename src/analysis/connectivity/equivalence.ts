import { DEFAULT_SERVICE_ACCOUNT, Endpoint, PodSide } from '../endpoint';
import { classify } from '../kinds';

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
 * are kept as they are. A pod's ServiceAccount and its labels count as labels (Cilium selects the
 * account by an identity label, Calico by name and by the account's labels).
 *
 * The values a set of policies names are over-approximated as every string in them and every
 * quoted string inside those (Calico selectors quote their values): a string too many only
 * splits a group. Operators that match parts of a value (Calico's `contains`, `starts with` or
 * `startswith`, `ends with` or `endswith`) cannot be abstracted this way: policies that use one make their namespace keep
 * every value.
 */

/** Calico selector operators that match part of a value (`startswith` is also written without a space; matched loosely: a word too many only costs grouping). */
const PARTIAL_MATCH = /(contains|starts\s*with|ends\s*with)/i;
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
      // By kind, as the model reads them: a cluster-wide policy applies everywhere, whatever
      // metadata.namespace says (the API server ignores it; charts often set it).
      const namespace = classify(obj).clusterScoped ? undefined : obj?.metadata?.namespace ?? 'default';
      if (typeof namespace === 'string') {
        const list = this.byNamespace.get(namespace);
        if (list) {
          list.push(obj);
        } else {
          this.byNamespace.set(namespace, [obj]);
        }
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

/** The strings of one policy manifest (and whether it uses a partial match), computed once per object. */
const MANIFEST_STRINGS = new WeakMap<object, { strings: Set<string>; partial: boolean }>();

/**
 * The vocabulary of the policies that can decide one side of one pod (`SideEvaluator.sidePolicies`),
 * with the pod's namespace (rules compare peers with the policy's own namespace).
 */
export function sideVocabulary(manifests: readonly unknown[], namespace: string): Vocabulary {
  const values = new Set<string>([namespace]);
  for (const manifest of manifests) {
    let found = manifest !== null && typeof manifest === 'object' ? MANIFEST_STRINGS.get(manifest) : undefined;
    if (!found) {
      const strings = new Set<string>();
      found = { strings, partial: collectStrings(manifest, strings) };
      if (manifest !== null && typeof manifest === 'object') {
        MANIFEST_STRINGS.set(manifest, found);
      }
    }
    if (found.partial) {
      return {};
    }
    found.strings.forEach((v) => values.add(v));
  }
  return { values };
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
    word(endpoint.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT, vocabulary),
    endpoint.serviceAccountLabels === undefined ? '?' : labelsKey(endpoint.serviceAccountLabels, vocabulary),
    withPorts ? portsKey(endpoint) : '',
    endpoint.ip ?? '',
    endpoint.hostNetwork ? 'host' : '',
    endpoint.addressRanges !== undefined ? 'ranges' : '',
  ].join('\u0002');
}

/** An endpoint as numbers: its fixed part (with and without ports) and its (key, value) slots. */
interface Tokens {
  readonly withPorts: number;
  readonly withoutPorts: number;
  /** Pairs of (slot key id, value id): the namespace's name, its labels, the pod's labels. */
  readonly slots: Int32Array;
}

/**
 * `peerKey` for many endpoints and vocabularies, fast: each endpoint's strings are interned once,
 * and a vocabulary becomes the set of the interned values it names, so a key is a few integer
 * look-ups (an estate computes millions of them).
 */
export class PeerKeys {
  private readonly ids = new Map<string, number>();
  private readonly tokens = new Map<Endpoint, Tokens>();

  /** @param endpoints every endpoint keys will be asked for: their values must be known before a vocabulary is read (`named`) */
  constructor(endpoints: Iterable<Endpoint>) {
    for (const endpoint of endpoints) {
      this.of(endpoint);
    }
  }

  /** The ids of the values a vocabulary names that some endpoint has (others cannot matter); undefined: every value counts. */
  public named(vocabulary: Vocabulary): ReadonlySet<number> | undefined {
    if (vocabulary.values === undefined) {
      return undefined;
    }
    const named = new Set<number>();
    vocabulary.values.forEach((v) => {
      const id = this.ids.get(v);
      if (id !== undefined) {
        named.add(id);
      }
    });
    return named;
  }

  /** The same key as `peerKey` would give under the vocabulary whose `named` ids these are (as another string). */
  public key(endpoint: Endpoint, named: ReadonlySet<number> | undefined, withPorts: boolean): string {
    const t = this.tokens.get(endpoint);
    if (t === undefined) {
      // Its values might be named by a vocabulary read before: its key could merge it wrongly.
      throw new Error(`PeerKeys: ${endpoint.id} was not given to the constructor`);
    }
    let key = `${withPorts ? t.withPorts : t.withoutPorts}`;
    const slots = t.slots;
    for (let k = 0; k < slots.length; k += 2) {
      const value = slots[k + 1];
      key += `,${slots[k]}:${named === undefined || named.has(value) ? value : -1}`;
    }
    return key;
  }

  private id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(text, id);
    }
    return id;
  }

  private of(endpoint: Endpoint): Tokens {
    let found = this.tokens.get(endpoint);
    if (!found) {
      if (endpoint.kind !== 'pod') {
        const id = this.id(`\u0005${endpoint.kind}:${endpoint.id}`);
        found = { withPorts: id, withoutPorts: id, slots: new Int32Array(0) };
      } else {
        const rest = [endpoint.ip ?? '', endpoint.hostNetwork ? 'host' : '', endpoint.addressRanges !== undefined ? 'ranges' : ''].join(SEP);
        // The ServiceAccount and its labels: Cilium and Calico select pods by them.
        const slots: number[] = [this.id('\u0006namespace'), this.id(endpoint.namespace),
          this.id('\u0008serviceAccount'), this.id(endpoint.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT)];
        const accountLabels = endpoint.serviceAccountLabels ?? { '\u0000unknown': '' };
        for (const [prefix, labels] of [['\u0007', endpoint.namespaceLabels], ['', endpoint.labels], ['\u0009', accountLabels]] as const) {
          for (const k of Object.keys(labels).sort()) {
            slots.push(this.id(`${prefix}${k}`), this.id(labels[k]));
          }
        }
        found = {
          withPorts: this.id(`\u0005pod${SEP}${rest}${SEP}${portsKey(endpoint)}`),
          withoutPorts: this.id(`\u0005pod${SEP}${rest}`),
          slots: Int32Array.from(slots),
        };
      }
      this.tokens.set(endpoint, found);
    }
    return found;
  }
}

/**
 * The key of a pod as the subject of its own side: its namespace, and what its policies can tell;
 * its container ports for its ingress only (named ports resolve on the destination, so they never
 * change what the pod may send).
 */
export function subjectKey(pod: PodSide, vocabulary: Vocabulary, withPorts: boolean): string {
  return `${pod.namespace}\u0003${withPorts ? 'in' : 'out'}\u0003${peerKey(pod, vocabulary, withPorts)}`;
}

function portsKey(pod: PodSide): string {
  return pod.ports.map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}`).sort().join(SEP);
}
