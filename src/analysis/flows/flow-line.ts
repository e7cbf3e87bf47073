import { FlowEndpoint } from './observed-flow';
import { canonicalIp, ipFamily } from '../../util/cidr';
import { HttpRequest } from '../types';

/** A malformed record: thrown by a format's parser, reported with the file and line. */
export class FlowLineError extends Error {}

/** A record that is a flow the policies decide (one connection, seen once). */
export interface ParsedFlow {
  readonly from: FlowEndpoint;
  readonly to: FlowEndpoint;
  readonly port: number;
  readonly protocol: string;
  readonly http?: HttpRequest;
  /** When the flow was seen (RFC 3339), when the record says. */
  readonly time?: string;
  /** When the record's window ended (RFC 3339), for a record that aggregates a time window (Calico). */
  readonly until?: string;
  /** How many connections the record stands for (an aggregated Calico flow log counts several). */
  readonly count?: number;
}

/** A well-formed record that is no flow to replay, with why (a reply, a drop, ICMP, ...): counted, not evaluated. */
export interface IgnoredRecord {
  readonly ignored: string;
}

/** What one line of flow input is. */
export type ParsedLine = ParsedFlow | IgnoredRecord | undefined;

/** The reasons records are ignored, as reports name them. */
export const IGNORED = {
  blank: 'blank lines and comments',
  reply: 'replies (the policies decide the connection, not its answers)',
  dropped: 'flows the cluster dropped (they did not happen; --include-dropped replays them)',
  icmp: 'ICMP and other protocols without ports (IGMP, VRRP, ...; not replayed)',
  node: 'connections from the node to its own pods (always allowed: kubelet probes)',
  health: 'Cilium health checks',
  notFlow: 'records that are no flow (node status, lost events)',
  external: 'connections between two ends outside the cluster\'s pods (no pod policy applies)',
  response: 'L7 responses (their request is replayed)',
  socket: 'socket load-balancer traces (the connection they translate is replayed from its own records)',
  direction: 'records whose direction Hubble does not know (no is_reply, and not a TCP SYN: tunnel traces, mid-connection packets)',
  header: 'header lines',
} as const;

/** A plain object or undefined: JSON read from outside is checked before it is used. */
export function objectAt(value: unknown): Record<string, any> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, any> : undefined;
}

/** The field under either spelling (protojson writes lowerCamelCase, Hubble's printer the proto names). */
export function field(obj: Record<string, any> | undefined, ...names: string[]): any {
  if (obj === undefined) {
    return undefined;
  }
  for (const name of names) {
    if (obj[name] !== undefined && obj[name] !== null) {
      return obj[name];
    }
  }
  return undefined;
}

/** A port from 1 to 65535, or the problem. */
export function portOf(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new FlowLineError(`${what} ${show(value)} is not a port from 1 to 65535`);
  }
  return n;
}

/** A value for messages, cut short. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** An IP literal (strict: dotted-quad IPv4 or IPv6, no zone), canonical; FlowLineError otherwise. */
export function addressOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || ipFamily(value) === undefined) {
    throw new FlowLineError(`${what} ${show(value)} is not an IP address`);
  }
  return canonicalIp(value);
}

