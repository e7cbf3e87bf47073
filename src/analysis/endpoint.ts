import { ContainerPort } from './types';

/** One side of a connection, as policies see it. */
export type Endpoint = PodSide | ExternalSide;

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
}

/** The endpoint's address, if it has one. */
export function addressOf(endpoint: Endpoint): string | undefined {
  return endpoint.ip;
}
