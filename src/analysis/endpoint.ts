import { ContainerPort } from './types';

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
}

/** An address outside the cluster. */
export interface ExternalSide {
  readonly kind: 'external';
  /** The IP literal. */
  readonly id: string;
  readonly ip: string;
  /** The address is the Kubernetes API server's (`NetworkModel.addKubeApiServer`). */
  readonly apiServer?: boolean;
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
}

/** The endpoint's address, if it has one. */
export function addressOf(endpoint: Endpoint): string | undefined {
  return endpoint.ip;
}
