import { ContainerPort } from '../../analysis/types';
import { Port, Protocol } from '../../core/port';

/**
 * True when `asked` (a port a caller wants) lies within `served` (a port a workload declares):
 * the same protocol and, for numbers, inside the declared number or range; a named port is
 * within a declared name, or within a declared number that its container port carries.
 * @param containerPorts the serving pods' container ports, to resolve names, when known
 */
export function portServes(served: Port, asked: Port, containerPorts: readonly ContainerPort[]): boolean {
  if (served.protocol !== asked.protocol) {
    return false;
  }
  if (served.isAllPorts) {
    return true;
  }
  if (asked.isAllPorts) {
    return false;
  }
  const resolve = (port: Port): [number, number] | undefined => {
    if (port.name === undefined) {
      return [port.portNumber!, port.endPortNumber ?? port.portNumber!];
    }
    const named = containerPorts.find((c) => c.name === port.name && (c.protocol ?? 'TCP') === port.protocol);
    return named === undefined ? undefined : [named.port, named.port];
  };
  if (served.name !== undefined && served.name === asked.name) {
    return true;
  }
  const outer = resolve(served);
  const inner = resolve(asked);
  return outer !== undefined && inner !== undefined && outer[0] <= inner[0] && inner[1] <= outer[1];
}

/** The declared ports of a workload, from its container ports: one numbered port each. */
export function portsOfContainers(containerPorts: readonly ContainerPort[]): Port[] {
  const out: Port[] = [];
  const seen = new Set<string>();
  for (const c of containerPorts) {
    const port = portOf(c.protocol ?? 'TCP', c.port);
    if (port !== undefined && !seen.has(port.toString())) {
      seen.add(port.toString());
      out.push(port);
    }
  }
  return out;
}

function portOf(protocol: string, port: number): Port | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return undefined;
  }
  switch (protocol) {
    case Protocol.TCP: return Port.tcp(port);
    case Protocol.UDP: return Port.udp(port);
    case Protocol.SCTP: return Port.sctp(port);
    default: return undefined;
  }
}

/** Ports without repeats (by their text: `TCP/80`), in order of first appearance. */
export function uniquePorts(ports: readonly Port[]): Port[] {
  const seen = new Set<string>();
  return ports.filter((port) => {
    const key = port.toString();
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** A key for a set of ports, equal for equal sets whatever their order. */
export function portSetKey(ports: readonly Port[]): string {
  return ports.map((port) => port.toString()).sort().join(',');
}
