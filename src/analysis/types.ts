/** A container port of a pod, as named ports resolve against it. */
export interface ContainerPort {
  /** The port number (1-65535). */
  readonly port: number;
  /**
   * The port's name (IANA service name), which named policy ports refer to.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * TCP, UDP or SCTP.
   * @default "TCP"
   */
  readonly protocol?: string;
}

/** A pod of the model: where it runs, its labels, address and ports. */
export interface PodEndpoint {
  /** Its namespace (added to the model, with its name label, if not there yet). */
  readonly namespace: string;
  /** Its name, unique in the namespace. */
  readonly name: string;
  /**
   * Its labels.
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /**
   * Its IP address, so that probes and ipBlock rules can refer to it by address.
   * @default - no address
   */
  readonly ip?: string;
  /**
   * Its container ports, for named policy ports.
   * @default []
   */
  readonly ports?: ContainerPort[];
  /**
   * The pod uses the node's network: NetworkPolicy does not apply to it, and pod and namespace
   * selectors do not match it (its traffic is the node's).
   * @default false
   */
  readonly hostNetwork?: boolean;
}

/** One connection attempt to evaluate. */
export interface Probe {
  /** The client: "namespace/pod", or an IP literal (outside the cluster unless it is a pod's address). */
  readonly from: string;
  /** The server: "namespace/pod", or an IP literal (outside the cluster unless it is a pod's address). */
  readonly to: string;
  /** The destination port (1-65535). */
  readonly port: number;
  /**
   * TCP, UDP or SCTP.
   * @default "TCP"
   */
  readonly protocol?: string;
}

/** Whether a probe's connection is allowed, and why. */
export interface Verdict {
  /** True when the source may send and the destination may receive. */
  readonly allowed: boolean;
  /**
   * One line per side: which policies isolate it and which rule allowed, or that no rule of the
   * isolating policies matched.
   */
  readonly reasons: string[];
}
