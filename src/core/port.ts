import { ianaServiceNameProblem } from '../util/names';
import { invalid, isIntegerInRange, show } from '../util/validation';

/** Transport protocols that every engine can express in a port rule. */
export enum Protocol {
  /** Transmission Control Protocol (the Kubernetes default). */
  TCP = 'TCP',
  /** User Datagram Protocol. */
  UDP = 'UDP',
  /** Stream Control Transmission Protocol (needs CNI support). */
  SCTP = 'SCTP',
}

const MIN_PORT = 1;
const MAX_PORT = 65535;

/**
 * A destination port (or range, or named port) on one protocol.
 *
 * Value class: create it with the static factories, which validate at the call site.
 * Unlike cdk8s-plus `NetworkPolicyPort.allTcp()`, "all ports" omits the port instead of
 * emitting the invalid `port: 0`.
 */
export class Port {
  /** DNS over UDP: UDP/53, what resolvers use first. */
  public static readonly DNS_UDP: Port = new Port(Protocol.UDP, 53);
  /** DNS over TCP: TCP/53, for answers too large for UDP (and zone transfers). */
  public static readonly DNS_TCP: Port = new Port(Protocol.TCP, 53);
  /** HTTPS: TCP/443. */
  public static readonly HTTPS: Port = new Port(Protocol.TCP, 443);

  /** One TCP port (1-65535). */
  public static tcp(port: number): Port {
    return Port.single('Port.tcp', Protocol.TCP, port);
  }

  /** One UDP port (1-65535). */
  public static udp(port: number): Port {
    return Port.single('Port.udp', Protocol.UDP, port);
  }

  /** One SCTP port (1-65535). */
  public static sctp(port: number): Port {
    return Port.single('Port.sctp', Protocol.SCTP, port);
  }

  /** An inclusive TCP port range, e.g. `Port.tcpRange(32000, 32767)`. */
  public static tcpRange(from: number, to: number): Port {
    return Port.range('Port.tcpRange', Protocol.TCP, from, to);
  }

  /** An inclusive UDP port range. */
  public static udpRange(from: number, to: number): Port {
    return Port.range('Port.udpRange', Protocol.UDP, from, to);
  }

  /** An inclusive SCTP port range. */
  public static sctpRange(from: number, to: number): Port {
    return Port.range('Port.sctpRange', Protocol.SCTP, from, to);
  }

  /**
   * A named container port (IANA service name, e.g. `metrics`), resolved on the destination pods.
   * @param name the container port name: 1-15 lowercase letters, digits and "-", with a letter
   * @param protocol the protocol of that container port
   * @default protocol Protocol.TCP
   */
  public static named(name: string, protocol?: Protocol): Port {
    const problem = ianaServiceNameProblem(name);
    if (problem) {
      invalid('Port.named()', `name ${show(name)} is not a valid port name: ${problem}; expected an IANA service name such as "http" or "metrics"`);
    }
    return new Port(Port.protocolOrDefault('Port.named()', protocol), undefined, undefined, name);
  }

  /** Every TCP port. */
  public static allTcp(): Port {
    return new Port(Protocol.TCP);
  }

  /** Every UDP port. */
  public static allUdp(): Port {
    return new Port(Protocol.UDP);
  }

  /** Every SCTP port. */
  public static allSctp(): Port {
    return new Port(Protocol.SCTP);
  }

  private static single(factory: string, protocol: Protocol, port: number): Port {
    Port.checkNumber(`${factory}()`, 'port', port);
    return new Port(protocol, port);
  }

  private static range(factory: string, protocol: Protocol, from: number, to: number): Port {
    const where = `${factory}()`;
    Port.checkNumber(where, 'from', from);
    Port.checkNumber(where, 'to', to);
    if (from > to) {
      invalid(where, `range ${from}-${to} is reversed; expected from <= to, e.g. ${factory}(${to}, ${from})`);
    }
    return from === to ? new Port(protocol, from) : new Port(protocol, from, to);
  }

  private static checkNumber(where: string, arg: string, value: number): void {
    if (!isIntegerInRange(value, MIN_PORT, MAX_PORT)) {
      invalid(where, `${arg} ${show(value)} is not a valid port; expected an integer from ${MIN_PORT} to ${MAX_PORT}`);
    }
  }

  private static protocolOrDefault(where: string, protocol: Protocol | undefined): Protocol {
    if (protocol === undefined) {
      return Protocol.TCP;
    }
    if (!Object.values(Protocol).includes(protocol)) {
      invalid(where, `protocol ${show(protocol)} is not supported; expected one of ${Object.values(Protocol).join(', ')}`);
    }
    return protocol;
  }

  /** The transport protocol. */
  public readonly protocol: Protocol;
  /** The port number, or the first port of a range; undefined for all ports and named ports. */
  public readonly portNumber?: number;
  /** The last port of an inclusive range; undefined unless this is a range. */
  public readonly endPortNumber?: number;
  /** The container port name; undefined unless this is a named port. */
  public readonly name?: string;

  private constructor(protocol: Protocol, port?: number, endPort?: number, name?: string) {
    this.protocol = protocol;
    this.portNumber = port;
    this.endPortNumber = endPort;
    this.name = name;
  }

  /** True when this matches every port of its protocol. */
  public get isAllPorts(): boolean {
    return this.portNumber === undefined && this.name === undefined;
  }

  /** Human-readable form: `TCP/8080`, `TCP/8000-8100`, `TCP/metrics`, `TCP/*`. */
  public toString(): string {
    if (this.name !== undefined) {
      return `${this.protocol}/${this.name}`;
    }
    if (this.portNumber === undefined) {
      return `${this.protocol}/*`;
    }
    return this.endPortNumber === undefined ? `${this.protocol}/${this.portNumber}` : `${this.protocol}/${this.portNumber}-${this.endPortNumber}`;
  }
}
