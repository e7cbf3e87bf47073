import { Peer, PeerKind } from '../core/peer';
import { Port } from '../core/port';
import { dns1123SubdomainProblem } from '../util/names';
import { checkOptionsObject, invalid, isIntegerInRange, show } from '../util/validation';

/** Validates a `Port[]` prop: a non-empty list of `Port` values. */
export function checkPorts(where: string, prop: string, ports: Port[] | undefined): void {
  if (ports === undefined) {
    return;
  }
  if (!Array.isArray(ports) || ports.length === 0) {
    invalid(where, `${prop} ${show(ports)} must list at least one Port (omit it for the default)`);
  }
  // Array.from, not forEach: a hole in the list is refused as undefined rather than skipped.
  Array.from(ports).forEach((port, i) => {
    if (!(port instanceof Port)) {
      invalid(where, `${prop}[${i}] ${show(port)} is not a Port; use e.g. Port.tcp(8080)`);
    }
  });
}

/** Validates a numeric TCP port prop (1-65535). */
export function checkPortNumber(where: string, prop: string, port: number | undefined): void {
  if (port !== undefined && !isIntegerInRange(port, 1, 65535)) {
    invalid(where, `${prop} ${show(port)} is not a valid port; expected an integer from 1 to 65535`);
  }
}

/** Validates a `Peer` prop. */
export function checkPeer(where: string, prop: string, peer: Peer | undefined, example: string): void {
  if (peer !== undefined && !(peer instanceof Peer)) {
    invalid(where, `${prop} ${show(peer)} is not a Peer; use e.g. ${example}`);
  }
}

/**
 * Validates a `dnsPeer` prop: the cluster DNS pods, or an IP block for a node-local DNS cache.
 * Every public address (`Peer.internet()`) would let DNS, and whatever else uses port 53, reach
 * the whole internet; a DNS name would need DNS to be resolved; entities and the API server are
 * not DNS servers.
 * @param podsOnly also refuse IP blocks (Cilium's DNS proxy must see the lookups in the DNS pods)
 */
export function checkDnsPeer(where: string, peer: Peer | undefined, podsOnly: boolean = false): void {
  checkPeer(where, 'dnsPeer', peer, 'Peer.kubeDns({ namespace: "openshift-dns" })');
  if (peer === undefined) {
    return;
  }
  const kind = peer._spec.kind;
  if (kind !== PeerKind.PODS && (podsOnly || kind !== PeerKind.IP_BLOCK)) {
    invalid(where, `dnsPeer ${peer} is not a DNS server peer; expected the DNS pods, e.g. Peer.kubeDns({ namespace: "openshift-dns" })` +
      `${podsOnly ? ' (with fqdns, Cilium\'s DNS proxy must see the lookups in the DNS pods)' : ', or Peer.ipBlock("169.254.20.10/32") for a node-local DNS cache'}`);
  }
}

const OBJECT_NAME_MAX = 253;

/**
 * Validates a policy `name` prop (a DNS-1123 subdomain).
 * @param suffixLength length of what the construct appends (e.g. "-database"), which must still fit
 */
export function checkPolicyName(where: string, prop: string, name: string | undefined, suffixLength: number = 0): void {
  if (name === undefined) {
    return;
  }
  const problem = dns1123SubdomainProblem(name);
  if (problem) {
    invalid(where, `${prop} ${show(name)} is not a valid object name: ${problem} (e.g. "shop")`);
  }
  if (name.length + suffixLength > OBJECT_NAME_MAX) {
    // show() cuts a name this long to its first characters and gives its length.
    invalid(where, `${prop} ${show(name)} is too long: with the ${suffixLength}-character suffix the construct adds, ` +
      `policy names would exceed ${OBJECT_NAME_MAX} characters (at most ${OBJECT_NAME_MAX - suffixLength})`);
  }
}

/** Validates an optional boolean prop: a string "false" must not silently mean true. */
export function checkBoolean(where: string, prop: string, value: boolean | undefined): void {
  if (value !== undefined && typeof value !== 'boolean') {
    invalid(where, `${prop} ${show(value)} is not a boolean; expected true or false`);
  }
}

/**
 * Rejects a missing props object (for constructs whose props have required fields), a list, and
 * unknown keys.
 * @param keys the props' keys, as a `Record<keyof Props, true>` so the compiler keeps it complete
 */
export function requireProps<T>(where: string, props: T, example: string, keys: Record<keyof T, true>): T {
  if (props === undefined || props === null) {
    invalid(where, `props are required: ${example}`);
  }
  if (typeof props !== 'object') {
    invalid(where, `props ${show(props)} is not an object; expected e.g. ${example}`);
  }
  checkOptionsObject(where, 'props', props, keys as Record<string, true>);
  return props;
}
