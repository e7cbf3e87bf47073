import { ContainerPort } from './types';
import { Cidr, IpFamily } from '../util/cidr';

/** One side of a connection, as policies see it. */
export type Endpoint = PodSide | ExternalSide | NameSide;

/** A pod of the model. */
export interface PodSide {
  readonly kind: 'pod';
  /** "namespace/name". */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly ip?: string;
  readonly ports: readonly ContainerPort[];
  /** On the node's network: policies neither isolate nor select it. */
  readonly hostNetwork: boolean;
  /**
   * Where the pod's address lies when `ip` is unknown: the cluster's pod ranges
   * (`NetworkModelOptions.podCidrs`), if given.
   */
  readonly addressRanges?: readonly Cidr[];
  /** Its ServiceAccount's name; undefined: "default". */
  readonly serviceAccount?: string;
  /**
   * The labels of its ServiceAccount object (`NetworkModel.addServiceAccount`, or a ServiceAccount
   * manifest); `{}` for a namespace's `default` account the manifests do not give (Kubernetes
   * creates it without labels); undefined when unknown.
   */
  readonly serviceAccountLabels?: Readonly<Record<string, string>>;
  /** The name of the cluster it runs in (Cilium's `cluster-name`); undefined: "default". */
  readonly cluster?: string;
}

/** The ServiceAccount a pod runs as: "default" unless it names one. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';
/** The cluster name of a Cilium installation that does not set one. */
export const DEFAULT_CLUSTER_NAME = 'default';

/** An address outside the cluster. */
export interface ExternalSide {
  readonly kind: 'external';
  /** The IP literal. */
  readonly id: string;
  readonly ip: string;
  /** The address is the Kubernetes API server's (`NetworkModel.addKubeApiServer`). */
  readonly apiServer?: boolean;
  /** That API server runs on the cluster's nodes: for Cilium a node identity, not an address outside the cluster. */
  readonly onNodes?: boolean;
}

/**
 * A DNS name outside the cluster (a destination only). Its addresses are unknown: address rules
 * match it only when they admit every address.
 */
export interface NameSide {
  readonly kind: 'name';
  /** The name as the probe gave it. */
  readonly id: string;
  /** Lower case, without a trailing dot. */
  readonly name: string;
  readonly ip?: undefined;
  /**
   * The IP families a connection to the name may use (default IPv4 only): a client with an IPv6
   * address may use either family, one with an IPv4 address IPv4; a client without an address
   * those of the cluster's pod ranges (IPv4 when none are given).
   */
  readonly families?: readonly IpFamily[];
}

/** The IP families a connection to a DNS name may use. */
export function nameFamilies(name: NameSide): readonly IpFamily[] {
  return name.families ?? [4];
}

/**
 * Whether address blocks (ORed) admit every address a connection to a DNS name may use, whose
 * addresses are unknown: for each family the connection may use, a /0 of that family without
 * except. `::/0` alone does not admit a name (it may have only IPv4 addresses), nor does any
 * narrower block.
 */
export function blocksAdmitName(blocks: readonly { readonly cidr: Cidr; readonly except?: readonly Cidr[] }[], name: NameSide): boolean {
  return nameFamilies(name).every((family) => blocks.some((b) => b.cidr.family === family && b.cidr.prefix === 0 && (b.except?.length ?? 0) === 0));
}

/** Why a DNS name's addresses leave an address rule undecided: for reasons. */
export function unknownNameAddresses(name: NameSide, what: string): string {
  const families = nameFamilies(name).map((f) => `IPv${f}`).join(' and ');
  return `the addresses of the DNS name ${name.id} are unknown and might lie in ${what}; only blocks admitting every ${families} address ` +
    `(${nameFamilies(name).map((f) => (f === 4 ? '0.0.0.0/0' : '::/0')).join(' and ')} without except) decide a name: probe an address to check one`;
}

/** The endpoint's address, if it has one. */
export function addressOf(endpoint: Endpoint): string | undefined {
  return endpoint.ip;
}

/**
 * Whether a policy's port covers the probed one: a number with an optional `endPort` by range, a
 * name through the destination pod's container port of that name, number and protocol (named
 * ports resolve on the destination: docs/semantics/kubernetes.md#named-ports). Shared by every
 * engine's rules.
 */
export function portCovers(port: number | string, endPort: number | undefined, destination: Endpoint, number: number, protocol: string): boolean {
  if (typeof port === 'number') {
    return number >= port && number <= (endPort ?? port);
  }
  return destination.kind === 'pod' && destination.ports.some((p) => p.name === port && (p.protocol ?? 'TCP') === protocol && p.port === number);
}
