import { L7Restriction, MAX_PORT, MIN_PORT, PORT_PROTOCOLS, intervalStarts } from './port-ranges';
import { Direction } from '../direction';
import { Endpoint, PodSide } from '../endpoint';
import { DecisionCause, SideDecision } from '../semantics/decision';

/** Ports `from` to `to` of one protocol that get one verdict, for one reason. */
export interface Segment {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly allowed: boolean;
  /** Set when allowed and L7 rules decide which requests (HTTP) or names (DNS) pass. */
  readonly l7?: L7Restriction;
  /** The decisions of the sides at the segment's first port: the client's egress, the server's ingress (pods only). */
  readonly sides: readonly SideDecision[];
}

/** How the connectivity of a pair asks one engine: a side's decision, and where it may change with the port. */
export interface SideOracle {
  decide(pod: PodSide, direction: Direction, other: Endpoint, destination: Endpoint, port: number, protocol: string): SideDecision;
  portBounds(pod: PodSide, direction: Direction): readonly number[];
  sidePolicies(pod: PodSide, direction: Direction): readonly unknown[];
}

/** A decision that holds for every port: no policy selects the pod for the direction, or it is on the node's network. */
function portIndependent(decision: SideDecision): boolean {
  return decision.cause === DecisionCause.NOT_ISOLATED || decision.cause === DecisionCause.HOST_NETWORK;
}

/** Two decisions that read the same to a reviewer (same verdict, cause, deciding policy and L7 restriction). */
function sameOutcome(a: readonly SideDecision[], b: readonly SideDecision[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    return x.allowed === y.allowed && x.cause === y.cause && x.l7 === y.l7 && x.allowedBy === y.allowedBy && x.deniedBy === y.deniedBy &&
      x.tier === y.tier;
  });
}

export interface SidePiece {
  readonly from: number;
  readonly to: number;
  readonly decision: SideDecision;
}

/**
 * One side's decisions over every port of a protocol: decided once per interval between its
 * bounds (the decision is constant inside one), adjacent intervals with the same outcome merged.
 */
function sidePieces(oracle: SideOracle, pod: PodSide, direction: Direction, other: Endpoint, destination: Endpoint,
  protocol: string, starts: readonly number[]): SidePiece[] {
  const first = oracle.decide(pod, direction, other, destination, starts[0], protocol);
  if (portIndependent(first) || starts.length === 1) {
    return [{ from: MIN_PORT, to: MAX_PORT, decision: first }];
  }
  const pieces: SidePiece[] = [];
  let current = { from: starts[0], decision: first };
  for (let i = 1; i < starts.length; i++) {
    const next = oracle.decide(pod, direction, other, destination, starts[i], protocol);
    if (!sameOutcome([current.decision], [next])) {
      pieces.push({ from: current.from, to: starts[i] - 1, decision: current.decision });
      current = { from: starts[i], decision: next };
    }
  }
  pieces.push({ from: current.from, to: MAX_PORT, decision: current.decision });
  return pieces;
}

/** The bounds of the destination's container ports, on which named ports resolve. */
function namedPortBounds(destination: Endpoint): number[] {
  return destination.kind === 'pod' ? destination.ports.flatMap((p) => [p.port, p.port + 1]) : [];
}

/** One side's pieces per protocol (in PORT_PROTOCOLS order). */
export type SidePieces = readonly (readonly SidePiece[])[];

/** The client's egress decisions over every port of each protocol, toward `to`. */
export function egressPieces(oracle: SideOracle, from: PodSide, to: Endpoint): SidePieces {
  const starts = intervalStarts([...oracle.portBounds(from, 'egress'), ...namedPortBounds(to)]);
  return PORT_PROTOCOLS.map((protocol) => sidePieces(oracle, from, 'egress', to, to, protocol, starts));
}

/** The server's ingress decisions over every port of each protocol, from `from`. */
export function ingressPieces(oracle: SideOracle, from: Endpoint, to: PodSide): SidePieces {
  const starts = intervalStarts([...oracle.portBounds(to, 'ingress'), ...namedPortBounds(to)]);
  return PORT_PROTOCOLS.map((protocol) => sidePieces(oracle, to, 'ingress', from, to, protocol, starts));
}

/**
 * The verdict for every port of TCP, UDP and SCTP from `from` to `to` (at least one of them a pod
 * of the model, and not the same pod), as segments covering 1-65535 of each protocol in order:
 * the client's egress and the server's ingress are each decided once per interval between the
 * bounds of the rules that can decide them, and the verdicts intersected. Exact, because inside
 * such an interval no rule can tell two ports apart.
 */
export function pairSegments(oracle: SideOracle, from: Endpoint, to: Endpoint): Segment[] {
  return combinePieces(from.kind === 'pod' ? egressPieces(oracle, from, to) : undefined, to.kind === 'pod' ? ingressPieces(oracle, from, to) : undefined);
}

/** The segments of a pair from its sides' pieces (a side that is no pod has none). */
export function combinePieces(egress: SidePieces | undefined, ingress: SidePieces | undefined): Segment[] {
  const segments: Segment[] = [];
  PORT_PROTOCOLS.forEach((protocol, p) => {
    const e = egress?.[p];
    const i = ingress?.[p];
    // Sweep both sides' pieces: every port lies in one piece of each.
    let ei = 0;
    let ii = 0;
    let port = MIN_PORT;
    let open: { from: number; to: number; sides: SideDecision[] } | undefined;
    while (port <= MAX_PORT) {
      const ep = e?.[ei];
      const ip = i?.[ii];
      const end = Math.min(ep?.to ?? MAX_PORT, ip?.to ?? MAX_PORT);
      const sides = [...(ep ? [ep.decision] : []), ...(ip ? [ip.decision] : [])];
      if (open !== undefined && sameOutcome(open.sides, sides)) {
        open.to = end;
      } else {
        if (open !== undefined) {
          segments.push(segment(protocol, open));
        }
        open = { from: port, to: end, sides };
      }
      if (ep !== undefined && ep.to === end) {
        ei++;
      }
      if (ip !== undefined && ip.to === end) {
        ii++;
      }
      port = end + 1;
    }
    segments.push(segment(protocol, open!));
  });
  return segments;
}

function segment(protocol: string, piece: { from: number; to: number; sides: SideDecision[] }): Segment {
  const allowed = piece.sides.every((s) => s.allowed);
  const l7 = allowed ? piece.sides.find((s) => s.l7 !== undefined)?.l7 : undefined;
  return { protocol, from: piece.from, to: piece.to, allowed, ...(l7 !== undefined ? { l7 } : {}), sides: piece.sides };
}
