/** The policy engine that manifests are rendered for. */
export enum PolicyEngine {
  /** Kubernetes `networking.k8s.io/v1` NetworkPolicy, enforced by any conforming CNI. */
  KUBERNETES = 'kubernetes',
  /** Cilium `cilium.io/v2` CiliumNetworkPolicy. */
  CILIUM = 'cilium',
  /** Calico `projectcalico.org/v3` NetworkPolicy and GlobalNetworkPolicy. */
  CALICO = 'calico',
}

/**
 * The context key that sets the app-wide default engine: `app.node.setContext('cdk8s-netpol/engine', 'cilium')`
 * in main.ts, before the constructs are added.
 */
export const ENGINE_CONTEXT_KEY = 'cdk8s-netpol/engine';
