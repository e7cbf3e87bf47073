import { PeerKeys, PolicyVocabularies, Vocabulary, sideVocabulary, subjectKey } from './equivalence';
import { SideOracle, SidePieces, egressPieces, ingressPieces } from './pair-connectivity';
import { MAX_PORT, MIN_PORT, PORT_PROTOCOLS, PortRange, formatRange, normalizeRanges } from './port-ranges';
import { Direction } from '../direction';
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

/** A namespace's coarse peer groups, grouped by what one side's policies can tell apart. */
interface Refinement {
  /** The side's group of each coarse group. */
  readonly of: Int32Array;
  readonly groups: Groups;
}

/** One subject group's egress or ingress: its answer per group of its refinement (NONE until decided). */
interface Side {
  readonly subject: number;
  readonly direction: Direction;
  readonly refinement: Refinement;
  readonly answers: Int32Array;
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
  /**
   * Per namespace seen (index), the peer groups of the targets (with ports) and of the sources
   * (without) under the vocabulary of all the policies that can decide its pods' sides: the coarse
   * grouping, which each side's own policies refine (`Side.refinement`).
   */
  private readonly namespaces = new Map<string, number>();
  private readonly targetPeers: Int32Array[] = [];
  private readonly targetPeerGroups: Groups[] = [];
  private readonly sourcePeers: Int32Array[] = [];
  private readonly sourcePeerGroups: Groups[] = [];
  /** Per namespace seen, the ids of the values its vocabulary names (undefined: every value). */
  private readonly viewNamed: (ReadonlySet<number> | undefined)[] = [];
  private readonly vocabularies: PolicyVocabularies;
  /** Subject groups of the pods among sources and targets: one per namespace and what its policies can tell. */
  private readonly subjects = new Groups();
  /** The subject pods, by subject member index. */
  private readonly subjectPods: PodSide[] = [];
  private readonly sourceSubject: Int32Array;
  private readonly targetSubject: Int32Array;
  /** The namespace index of each target pod (NONE for the others). */
  private readonly targetView: Int32Array;
  /** Per subject group, its egress and ingress (made on first use). */
  private readonly egressOf = new Map<number, Side>();
  private readonly ingressOf = new Map<number, Side>();
  /** Each target's ingress (a pod's; made on first use). */
  private readonly targetIngress: (Side | undefined)[];
  /** Refinements of a namespace's coarse groups by one side vocabulary, shared by the subjects whose sides the same policies decide. */
  private readonly refinements = new Map<string, Refinement>();
  /** The distinct answers of single sides: the ports a side allows (the L7 restrictions with them). */
  private readonly sides: PortRange[][] = [];
  private readonly sideIds = new Map<string, number>();
  private readonly combined = new Map<number, number>();
  /** An id per policy manifest, to name a set of them. */
  private readonly manifestIds = new Map<unknown, number>();
  private readonly keys: PeerKeys;

  constructor(model: NetworkModel, public readonly sources: readonly EstateEndpoint[], public readonly targets: readonly EstateEndpoint[]) {
    const context = model._connectivityContext();
    this.oracle = context.oracle;
    this.sourceEnds = sources.map((s) => context.endpoint(s.address));
    this.targetEnds = targets.map((t) => context.endpoint(t.address));
    this.vocabularies = new PolicyVocabularies(model._policyObjects());
    this.keys = new PeerKeys([...this.sourceEnds, ...this.targetEnds]);
    const subjectIndex = new Map<string, number>();
    const subjectOf = (withPorts: boolean) => (end: Endpoint): number => {
      if (end.kind !== 'pod') {
        return NONE;
      }
      let member = subjectIndex.get(end.id);
      if (member === undefined) {
        member = this.subjectPods.length;
        this.subjectPods.push(end);
        subjectIndex.set(end.id, member);
      }
      return this.subjects.add(subjectKey(end, this.vocabularies.of(end.namespace), withPorts), member);
    };
    // Sources are the subjects of their egress, targets of their ingress.
    this.sourceSubject = Int32Array.from(this.sourceEnds, subjectOf(false));
    this.targetSubject = Int32Array.from(this.targetEnds, subjectOf(true));
    this.targetView = Int32Array.from(this.targetEnds, (end) => (end.kind === 'pod' ? this.namespaceIndex(end.namespace) : NONE));
    this.sourceEnds.forEach((end) => end.kind === 'pod' && this.namespaceIndex(end.namespace));
    this.targetIngress = this.targetEnds.map(() => undefined);
  }

  /** How much was shared: groups and distinct answers, for benchmarks and notes. */
  public get stats(): { subjectGroups: number; sideGroups: number; sidesDecided: number; sideAnswers: number; results: number } {
    let sideGroups = 0;
    this.refinements.forEach((r) => (sideGroups += r.groups.groups.length));
    let sidesDecided = 0;
    [...this.egressOf.values(), ...this.ingressOf.values()].forEach((side) => side.answers.forEach((a) => (sidesDecided += a === NONE ? 0 : 1)));
    return { subjectGroups: this.subjects.groups.length, sideGroups, sidesDecided, sideAnswers: this.sides.length, results: this.results.length };
  }

  /** Source `i`'s answers for every target: indices into `results`, NONE where the target is the source itself. */
  public row(i: number): Int32Array {
    const out = new Int32Array(this.targets.length);
    const source = this.sourceEnds[i];
    const subject = this.sourceSubject[i];
    const egress = subject === NONE ? undefined : this.side(subject, 'egress');
    const peers = source.kind === 'pod' ? this.targetPeers[this.namespaceIndex(source.namespace)] : undefined;
    // The source's coarse group in each namespace's view, for the targets' ingress.
    const sourceCoarse = Int32Array.from(this.sourcePeers, (groups) => groups[i]);
    for (let j = 0; j < out.length; j++) {
      const target = this.targetEnds[j];
      if (source.kind === 'pod' && target.kind === 'pod' && source.id === target.id) {
        out[j] = NONE;
        continue;
      }
      const egressAnswer = egress === undefined ? NONE : this.answer(egress, peers![j]);
      let ingressAnswer = NONE;
      const targetSubject = this.targetSubject[j];
      if (targetSubject !== NONE) {
        let ingress = this.targetIngress[j];
        if (ingress === undefined) {
          ingress = this.side(targetSubject, 'ingress');
          this.targetIngress[j] = ingress;
        }
        ingressAnswer = this.answer(ingress, sourceCoarse[this.targetView[j]]);
      }
      out[j] = this.combine(egressAnswer, ingressAnswer);
    }
    return out;
  }

  private namespaceIndex(namespace: string): number {
    let index = this.namespaces.get(namespace);
    if (index === undefined) {
      index = this.targetPeers.length;
      this.namespaces.set(namespace, index);
      const named = this.keys.named(this.vocabularies.of(namespace));
      this.viewNamed.push(named);
      const targetGroups = new Groups();
      this.targetPeers.push(Int32Array.from(this.targetEnds, (end, j) => targetGroups.add(this.keys.key(end, named, true), j)));
      this.targetPeerGroups.push(targetGroups);
      const sourceGroups = new Groups();
      this.sourcePeers.push(Int32Array.from(this.sourceEnds, (end, j) => sourceGroups.add(this.keys.key(end, named, false), j)));
      this.sourcePeerGroups.push(sourceGroups);
    }
    return index;
  }

  /** A subject group's egress or ingress: the policies that decide it, and its refinement of its namespace's groups. */
  private side(subject: number, direction: Direction): Side {
    const sides = direction === 'egress' ? this.egressOf : this.ingressOf;
    let side = sides.get(subject);
    if (!side) {
      const pod = this.subjectPods[this.subjects.groups[subject].members[0]];
      const view = this.namespaceIndex(pod.namespace);
      const manifests = this.oracle.sidePolicies(pod, direction);
      const name = `${direction} ${view} ${manifests.map((m) => this.manifestId(m)).sort((a, b) => a - b).join(',')}`;
      let refinement = this.refinements.get(name);
      if (!refinement) {
        refinement = this.refine(sideVocabulary(manifests, pod.namespace), view, direction);
        this.refinements.set(name, refinement);
      }
      side = { subject, direction, refinement, answers: new Int32Array(refinement.groups.groups.length).fill(NONE) };
      sides.set(subject, side);
    }
    return side;
  }

  private manifestId(manifest: unknown): number {
    let id = this.manifestIds.get(manifest);
    if (id === undefined) {
      id = this.manifestIds.size;
      this.manifestIds.set(manifest, id);
    }
    return id;
  }

  /**
   * The namespace's coarse peer groups, grouped again by what one side's policies can tell apart
   * (a coarser vocabulary: every group of the namespace's lies in one of the side's).
   */
  private refine(vocabulary: Vocabulary, view: number, direction: Direction): Refinement {
    const coarse = direction === 'egress' ? this.targetPeerGroups[view] : this.sourcePeerGroups[view];
    const ends = direction === 'egress' ? this.targetEnds : this.sourceEnds;
    const groups = new Groups();
    const of = new Int32Array(coarse.groups.length);
    const named = this.keys.named(vocabulary);
    // Refining is sound only when the side's policies name nothing the namespace's coarse groups
    // ignored (they are among them): never guess, say so.
    const coarseNamed = this.viewNamed[view];
    if (coarseNamed !== undefined && (named === undefined || [...named].some((v) => !coarseNamed.has(v)))) {
      throw new Error('EstateConnectivity: the policies deciding a side name values the namespace\'s own grouping left out; ' +
        'the matrix cannot be computed safely (please report this input)');
    }
    coarse.groups.forEach((group, g) => {
      const [first, second] = group.members;
      of[g] = groups.add(this.keys.key(ends[first], named, direction === 'egress'), first);
      if (second !== undefined) {
        groups.add(this.keys.key(ends[second], named, direction === 'egress'), second);
      }
    });
    return { of, groups };
  }

  /** The answer of a side toward (or from) the endpoints of one coarse peer group, decided once per group of its refinement. */
  private answer(side: Side, coarse: number): number {
    const group = side.refinement.of[coarse];
    const known = side.answers[group];
    if (known !== NONE) {
      return known;
    }
    const egress = side.direction === 'egress';
    const members = side.refinement.groups.groups[group].members.map((j) => (egress ? this.targetEnds[j] : this.sourceEnds[j]));
    const [pod, other] = this.distinctPair(this.subjects.groups[side.subject].members.map((m) => this.subjectPods[m]), members);
    const id = this.sideAnswer(egress ? egressPieces(this.oracle, pod as PodSide, other) : ingressPieces(this.oracle, other, pod as PodSide));
    side.answers[group] = id;
    return id;
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
  private sideAnswer(pieces: SidePieces): number {
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
