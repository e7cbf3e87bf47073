/** The network plugin that enforces the manifests: its semantics decide the verdicts, and some lint rules depend on it. */
export enum ClusterCni {
  /** Any conforming plugin; only Kubernetes semantics are assumed. */
  KUBERNETES = 'kubernetes',
  /** Cilium. */
  CILIUM = 'cilium',
  /** Calico. */
  CALICO = 'calico',
}
