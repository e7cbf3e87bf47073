import { ClusterCni } from './kinds';

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
  /**
   * Its ServiceAccount's name (a workload's `spec.serviceAccountName`). Cilium endpoints carry it
   * as the identity label `io.cilium.k8s.policy.serviceaccount`; Calico matches it with
   * `serviceAccounts.names`, and the ServiceAccount's labels (`NetworkModel.addServiceAccount`)
   * with `serviceAccounts.selector` and `serviceAccountSelector`.
   * @default "default"
   */
  readonly serviceAccount?: string;
}

/** One HTTP request of a probe, for policies with L7 (HTTP) rules. */
export interface HttpRequest {
  /** The request method, e.g. "GET" (matched case-sensitively, as proxies do). */
  readonly method: string;
  /**
   * The request path, starting with "/", including any query string ("/api/v1/orders?id=1"):
   * Cilium's path regexes are matched against the whole of it.
   */
  readonly path: string;
  /**
   * The Host header (":authority"), e.g. "api.example.com".
   * @default - the probe's destination when it is a DNS name, else no host
   */
  readonly host?: string;
  /**
   * Request headers by name (names match case-insensitively).
   * @default {}
   */
  readonly headers?: Record<string, string>;
}

/** One connection attempt to evaluate. */
export interface Probe {
  /** The client: "namespace/pod", or an IP literal (outside the cluster unless it is a pod's address). */
  readonly from: string;
  /**
   * The server: "namespace/pod", an IP literal (outside the cluster unless it is a pod's address),
   * or a DNS name outside the cluster such as "api.stripe.com". A name's addresses are unknown:
   * Cilium's toFQDNs rules match it by name; address rules (ipBlock, CIDR, nets) only when they
   * admit every address (0.0.0.0/0 or ::/0 without exceptions).
   */
  readonly to: string;
  /** The destination port (1-65535). */
  readonly port: number;
  /**
   * TCP, UDP or SCTP.
   * @default "TCP"
   */
  readonly protocol?: string;
  /**
   * The HTTP request sent on the connection (TCP only). Ports with L7 HTTP rules (Cilium
   * `rules.http`, Calico `http`) allow only the requests those rules match; without a request
   * the probe is decided at L3/L4 and the reasons say that L7 rules restrict requests.
   * @default - no request: decided at L3/L4
   */
  readonly http?: HttpRequest;
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

/** Options of `NetworkModel`, `NetworkModel.fromManifests` and `NetworkModel.fromChart`. */
export interface NetworkModelOptions {
  /**
   * The cluster's network plugin, whose semantics decide the Kubernetes NetworkPolicies too.
   * `ClusterCni.CILIUM`: Cilium's (an ipBlock matches only addresses outside the cluster, never a
   * pod; selectors see only Cilium's identity-relevant labels). `ClusterCni.CALICO`: Calico's (the
   * policies join the default tier; an ipBlock matches pods by address). `ClusterCni.KUBERNETES`:
   * the Kubernetes spec's (an ipBlock matches a pod by its address). Cilium policies with any
   * other setting than cilium, or Calico objects with any other than calico, are an error.
   *
   * @default - cilium when the model holds Cilium policies, calico when it holds Calico objects,
   *   otherwise ipBlock treated per the Kubernetes spec; set cni to match your cluster
   */
  readonly cni?: ClusterCni;
  /**
   * The address ranges of the cluster's pods (its IP pools, e.g. ["10.244.0.0/16"]). A pod
   * added without an `ip` certainly has an address in one of them, which decides Calico `nets`
   * criteria that lie entirely outside (or entirely around) these ranges; without them such a
   * criterion is undecidable for that pod, and a Deny or Pass rule that might match fails closed.
   * @default - pod addresses unknown
   */
  readonly podCidrs?: string[];
  /**
   * The Cilium cluster name (`cluster-name` in the cilium-config ConfigMap): every Cilium endpoint
   * carries the identity label `io.cilium.k8s.policy.cluster=<clusterName>`, which Cilium and
   * Kubernetes policies enforced by Cilium may select (Cluster Mesh policies do).
   * @default "default"
   */
  readonly clusterName?: string;
  /**
   * The Calico release whose semantics apply: "major.minor" (a release line, at its newest patch)
   * or "major.minor.patch", e.g. "3.33" or "3.31.5". It decides how Calico's application layer
   * policy matches HTTP paths: up to 3.31.5 a path is matched as sent (query string and fragment
   * removed) and a prefix matches any string start ("/api" matches "/apix"); from 3.31.6 and 3.32.0
   * paths are normalised first (percent-decoding, dot segments, repeated slashes) and a prefix
   * matches whole segments only; from 3.32.0, whether a rule whose ports are all names may leave
   * out its protocol; whether HTTP matches are modelled at all (3.30 and 3.31 answer every checked
   * request with 403) and beside named ports (from 3.33.0). Releases older than 3.29 or newer
   * than the newest the model knows are refused (docs/semantics/calico.md#releases).
   * @default "3.33" (the newest release the model knows)
   */
  readonly calicoVersion?: string;
  /**
   * Evaluate staged policies as if they were enforced: what a staged rollout would deny once it
   * is. Calico's StagedNetworkPolicy, StagedGlobalNetworkPolicy and StagedKubernetesNetworkPolicy
   * become the enforced kinds (a staged policy replaces the enforced one of the same kind,
   * namespace and name; a staged deletion is refused), and Cilium policies a staged rollout of
   * this library rendered (annotation `cdk8s-netpol.io/rollout: staged`) lose the
   * `enableDefaultDeny: false` that staged them.
   * @default false - staged policies are previews the cluster does not enforce: the verdicts leave them out
   */
  readonly evaluateStaged?: boolean;
}
