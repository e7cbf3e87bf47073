import { Endpoint, PodSide } from './endpoint';
import { L7Request } from './http';
import { Direction } from './kubernetes';

/** How one side of a connection was decided (for `_explain`). */
export interface SideDecision {
  readonly direction: Direction;
  /** "namespace/pod". */
  readonly pod: string;
  readonly allowed: boolean;
  /**
   * Ids of the policies that isolate the pod in this direction (Kubernetes "namespace/name";
   * other kinds "Kind namespace/name"), and of a deny that decided.
   */
  readonly isolatedBy: string[];
  /** Id of the policy whose rule allowed, when one did. */
  readonly allowedBy?: string;
  /**
   * Set when the side was denied only because the model could not tell whether a deny matches
   * (an unknown address): why. The verdict fails closed; the real one may be "allowed".
   */
  readonly undecided?: string;
  /**
   * Set when the side is allowed at L3/L4 and L7 rules decide what passes ("HTTP": only the
   * requests they list; "DNS": only the names they list), and the probe carried no request to
   * check against them.
   */
  readonly l7?: 'HTTP' | 'DNS';
  readonly reason: string;
}

/** One side to decide: the pod's policies for `direction`, against the other end. */
export interface SideQuery {
  readonly pod: PodSide;
  readonly direction: Direction;
  /** The other end of the connection. */
  readonly other: Endpoint;
  /** The server, on which named ports resolve. */
  readonly destination: Endpoint;
  readonly port: number;
  readonly protocol: string;
  /** The probe's HTTP request, if it gave one. */
  readonly http?: L7Request;
}

/** "egress of prod/web". */
export function sideName(query: SideQuery): string {
  return `${query.direction} of ${query.pod.id}`;
}

/** "TCP/8080 to prod/api", "UDP/53 from 10.0.0.1". */
export function describeFlow(query: SideQuery): string {
  return `${query.protocol}/${query.port} ${query.direction === 'ingress' ? 'from' : 'to'} ${query.other.id}`;
}

/** A side's decision. */
export function decided(query: SideQuery, allowed: boolean, isolatedBy: string[], reason: string, allowedBy?: string,
  undecided?: string, l7?: 'HTTP' | 'DNS'): SideDecision {
  return {
    direction: query.direction,
    pod: query.pod.id,
    allowed,
    isolatedBy,
    ...(allowedBy !== undefined ? { allowedBy } : {}),
    ...(undecided !== undefined ? { undecided } : {}),
    ...(l7 !== undefined ? { l7 } : {}),
    reason,
  };
}
