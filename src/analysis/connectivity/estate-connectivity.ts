import { PolicyVocabularies, peerKey, subjectKey } from './equivalence';
import { SideOracle, SidePieces, egressPieces, ingressPieces } from './pair-connectivity';
import { MAX_PORT, MIN_PORT, PORT_PROTOCOLS, PortRange, formatRange, normalizeRanges } from './port-ranges';
import { Endpoint, PodSide } from '../endpoint';
import { NetworkModel } from '../model';

/** A row or column of an estate: the id a report shows and the model's text for it. */
export interface EstateEndpoint {
  readonly id: string;
  /** "namespace/pod" or an IP address. */
  readonly address: string;
}

/** One distinct answer for a pair: exactly which ports are allowed. */
export interface PairResult {
  /** Sorted ranges, L7 restrictions included. */
  readonly allowed: readonly PortRange[];
  /** The ranges as text ("TCP/8080", "TCP/80 (HTTP rules)"): equal for equal answers. */
  readonly key: string;
}

/** A group of endpoints that behave alike, with up to two members to evaluate it with. */
interface Group {
  readonly members: number[];
}

/** Keys interned to dense ids, with the first two members of each. */
class Groups {
  public readonly ids = new Map<string, number>();
  public readonly groups: Group[] = [];
  public add(key: string, member: number): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.groups.length;
      this.ids.set(key, id);
      this.groups.push({ members: [member] });
    } else if (this.groups[id].members.length < 2) {
      this.groups[id].members.push(member);
    }
    return id;
  }
}

/** Combination keys: side ids below this bound (2^26 sides) keep the product exact in a double. */
const SIDE_BOUND = 2 ** 26;
const NONE = -1;

/**
 * The connectivity of every source to every target of an estate, exactly, with each side of a
 * connection decided once per group of endpoints the policies cannot tell apart
 * (connectivity/equivalence.ts):
 *
 * - a source pod's egress toward a target depends on the source's subject group and the target's
 *   peer group as seen from the source's namespace; it is decided once per such pair of groups;
 * - a target pod's ingress from a source likewise, once per subject group and peer group;
 * - the two sides' pieces are combined once per distinct pair of side answers, and answers with
 *   the same allowed ports share one `PairResult`.
 *
 * Rows are computed on demand (`row`), so memory grows with the groups and the distinct answers,
 * not with the pairs: the caller streams or aggregates them.
 */
export class EstateConnectivity {
  /** The distinct answers; `row` gives indices into it. */
  public readonly results: PairResult[] = [];
  private readonly resultIds = new Map<string, number>();
  private readonly oracle: SideOracle;
  private readonly sourceEnds: Endpoint[];
  private readonly targetEnds: Endpoint[];
  /** Per namespace seen (index), its vocabulary's peer groups of the targets (with ports) and of the sources (without). */
  private readonly namespaces = new Map<string, number>();
  private readonly targetPeers: Int32Array[] = [];
  private readonly targetPeerGroups: Groups[] = [];
  private readonly sourcePeers: Int32Array[] = [];
  private readonly sourcePeerGroups: Groups[] = [];
  private readonly vocabularies: PolicyVocabularies;
  /** Subject groups of the pods among sources and targets: one per namespace and what its policies can tell. */
  private readonly subjects = new Groups();
  /** The subject pods, by subject member index. */
  private readonly subjectPods: PodSide[] = [];
  private readonly sourceSubject: Int32Array;
  private readonly targetSubject: Int32Array;
  /** The namespace index of each target pod (NONE for the others). */
  private readonly targetView: Int32Array;
  /** Per subject group, the side ids by peer group (NONE until decided). */
  private readonly egressBySubject = new Map<number, Int32Array>();
  private readonly ingressBySubject = new Map<number, Int32Array>();
  /** The distinct answers of single sides: the ports a side allows (the L7 restrictions with them). */
  private readonly sides: PortRange[][] = [];
  private readonly sideIds = new Map<string, number>();
  private readonly combined = new Map<number, number>();

  constructor(model: NetworkModel, public readonly sources: readonly EstateEndpoint[], public readonly targets: readonly EstateEndpoint[]) {
    const context = model._connectivityContext();
    this.oracle = context.oracle;
    this.sourceEnds = sources.map((s) => context.endpoint(s.address));
    this.targetEnds = targets.map((t) => context.endpoint(t.address));
    this.vocabularies = new PolicyVocabularies(model._policyObjects());
    const subjectIndex = new Map<string, number>();
    const subjectOf = (end: Endpoint): number => {
      if (end.kind !== 'pod') {
        return NONE;
      }
      let member = subjectIndex.get(end.id);
      if (member === undefined) {
        member = this.subjectPods.length;
        this.subjectPods.push(end);
        subjectIndex.set(end.id, member);
      }
      return this.subjects.add(subjectKey(end, this.vocabularies.of(end.namespace)), member);
    };
    this.sourceSubject = Int32Array.from(this.sourceEnds, subjectOf);
    this.targetSubject = Int32Array.from(this.targetEnds, subjectOf);
    this.targetView = Int32Array.from(this.targetEnds, (end) => (end.kind === 'pod' ? this.namespaceIndex(end.namespace) : NONE));
  }

  /** How much was shared: groups and distinct side answers, for benchmarks and notes. */
  public get stats(): { subjectGroups: number; sideAnswers: number; pairAnswers: number; results: number } {
    const { subjects, sides, combined, results } = this;
    return { subjectGroups: subjects.groups.length, sideAnswers: sides.length, pairAnswers: combined.size, results: results.length };
  }

  /** Source `i`'s answers for every target: indices into `results`, NONE where the target is the source itself. */
  public row(i: number): Int32Array {
    const out = new Int32Array(this.targets.length);
    const source = this.sourceEnds[i];
    const subject = this.sourceSubject[i];
    const view = source.kind === 'pod' ? this.namespaceIndex(source.namespace) : NONE;
    const peers = view === NONE ? undefined : this.targetPeers[view];
    for (let j = 0; j < out.length; j++) {
      const target = this.targetEnds[j];
      if (source.kind === 'pod' && target.kind === 'pod' && source.id === target.id) {
        out[j] = NONE;
        continue;
      }
      const egress = subject === NONE ? NONE : this.egress(subject, peers![j], view);
      const targetSubject = this.targetSubject[j];
      const ingress = targetSubject === NONE ? NONE : this.ingress(targetSubject, i, this.targetView[j]);
      out[j] = this.combine(egress, ingress);
    }
    return out;
  }

  private namespaceIndex(namespace: string): number {
    let index = this.namespaces.get(namespace);
    if (index === undefined) {
      index = this.targetPeers.length;
      this.namespaces.set(namespace, index);
      const vocabulary = this.vocabularies.of(namespace);
      const targetGroups = new Groups();
      this.targetPeers.push(Int32Array.from(this.targetEnds, (end, j) => targetGroups.add(peerKey(end, vocabulary, true), j)));
      this.targetPeerGroups.push(targetGroups);
      const sourceGroups = new Groups();
      this.sourcePeers.push(Int32Array.from(this.sourceEnds, (end, j) => sourceGroups.add(peerKey(end, vocabulary, false), j)));
      this.sourcePeerGroups.push(sourceGroups);
    }
    return index;
  }

  /** The egress answer of a subject group toward a peer group (seen from the subject's namespace). */
  private egress(subject: number, peer: number, view: number): number {
    let byPeer = this.egressBySubject.get(subject);
    if (!byPeer) {
      byPeer = new Int32Array(this.targetPeerGroups[view].groups.length).fill(NONE);
      this.egressBySubject.set(subject, byPeer);
    }
    if (byPeer[peer] === NONE) {
      const [pod, other] = this.distinctPair(this.subjects.groups[subject].members.map((m) => this.subjectPods[m]),
        this.targetPeerGroups[view].groups[peer].members.map((j) => this.targetEnds[j]));
      byPeer[peer] = this.side(egressPieces(this.oracle, pod as PodSide, other));
    }
    return byPeer[peer];
  }

  /** The ingress answer of a subject group from source `i` (its peer group seen from the subject's namespace, `view`). */
  private ingress(subject: number, i: number, view: number): number {
    const peer = this.sourcePeers[view][i];
    let byPeer = this.ingressBySubject.get(subject);
    if (!byPeer) {
      byPeer = new Int32Array(this.sourcePeerGroups[view].groups.length).fill(NONE);
      this.ingressBySubject.set(subject, byPeer);
    }
    if (byPeer[peer] === NONE) {
      const [pod, other] = this.distinctPair(this.subjects.groups[subject].members.map((m) => this.subjectPods[m]),
        this.sourcePeerGroups[view].groups[peer].members.map((j) => this.sourceEnds[j]));
      byPeer[peer] = this.side(ingressPieces(this.oracle, other, pod as PodSide));
    }
    return byPeer[peer];
  }

  /** A subject and a peer from two groups that are not the same pod (a pod to itself is never asked). */
  private distinctPair(subjects: Endpoint[], peers: Endpoint[]): [Endpoint, Endpoint] {
    for (const s of subjects) {
      for (const p of peers) {
        if (p.kind !== 'pod' || p.id !== s.id) {
          return [s, p];
        }
      }
    }
    // Both groups are the one pod: only its pair with itself maps here, which `row` skips.
    return [subjects[0], peers[0]];
  }

  /** The id of a side's answer: the ports it allows, interned (many groups of pods get the same few answers). */
  private side(pieces: SidePieces): number {
    const allowed = normalizeRanges(pieces.flatMap((list, p) => list.filter((piece) => piece.decision.allowed)
      .map((piece) => ({ protocol: PORT_PROTOCOLS[p], from: piece.from, to: piece.to, ...(piece.decision.l7 ? { l7: piece.decision.l7 } : {}) }))));
    const key = allowed.map((r) => formatRange(r, true)).join(', ');
    let id = this.sideIds.get(key);
    if (id === undefined) {
      id = this.sides.push(allowed) - 1;
      this.sideIds.set(key, id);
    }
    return id;
  }

  private combine(egress: number, ingress: number): number {
    const key = (egress + 1) * SIDE_BOUND + (ingress + 1);
    let id = this.combined.get(key);
    if (id === undefined) {
      // A connection needs both sides: the ports both allow, restricted by the L7 rules of either (the client's first, as a probe reports them).
      // Neither end a pod (the internet to itself): no policy applies.
      const every = PORT_PROTOCOLS.map((protocol) => ({ protocol, from: MIN_PORT, to: MAX_PORT }));
      const allowed = egress === NONE ? (ingress === NONE ? every : this.sides[ingress])
        : ingress === NONE ? this.sides[egress] : intersectAllowed(this.sides[egress], this.sides[ingress]);
      const text = allowed.map((r) => formatRange(r, true)).join(', ');
      id = this.resultIds.get(text);
      if (id === undefined) {
        id = this.results.push({ allowed, key: text }) - 1;
        this.resultIds.set(text, id);
      }
      this.combined.set(key, id);
    }
    return id;
  }
}

/**
 * The ports two sides both allow; where either restricts a port with L7 rules, the restriction
 * stays (the client's when both do, as `pairSegments` reports it).
 */
export function intersectAllowed(egress: readonly PortRange[], ingress: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const a of egress) {
    for (const b of ingress) {
      if (a.protocol !== b.protocol || b.to < a.from || b.from > a.to) {
        continue;
      }
      const l7 = a.l7 ?? b.l7;
      out.push({ protocol: a.protocol, from: Math.max(a.from, b.from), to: Math.min(a.to, b.to), ...(l7 ? { l7 } : {}) });
    }
  }
  return normalizeRanges(out);
}
