import { ManifestObject } from './manifest';
import { PolicyEngine } from '../core/engine';
import { STAGED_ANNOTATION, STAGED_VALUE } from '../util/mark';

// A staged rollout (context key cdk8s-netpol/rollout: "staged") renders the policies so that the
// cluster evaluates them without enforcing them, where the engine can:
//  - Calico (open source 3.30+): StagedNetworkPolicy and StagedGlobalNetworkPolicy, the same spec
//    as the enforced kinds; Calico's flow logs (Whisker, flows.log) show what they would do in
//    `pending_policies`. Tiers are emitted as they are: a tier without enforced policies decides
//    nothing.
//  - Cilium (1.16+): the same policies with `enableDefaultDeny: { ingress: false, egress: false }`,
//    so their allows do not put the pods into default deny. Deny rules and L7 rules still apply
//    whatever enableDefaultDeny says, so they cannot be staged and are refused.
//  - Kubernetes: any NetworkPolicy isolates the pods it selects: nothing can be staged.
// docs/guides/from-observed-traffic.md#stage-then-enforce says how to use it.

/** The Calico kinds and their staged forms. */
const CALICO_STAGED: Record<string, string> = { NetworkPolicy: 'StagedNetworkPolicy', GlobalNetworkPolicy: 'StagedGlobalNetworkPolicy' };

/** Why the Kubernetes engine cannot stage: said at the construct that asked. */
export const KUBERNETES_CANNOT_STAGE = 'a staged rollout (context key cdk8s-netpol/rollout: "staged") cannot be rendered for the Kubernetes ' +
  'engine: a NetworkPolicy (or ClusterNetworkPolicy) has no staged form, and any policy isolates the pods it selects. Preview the ' +
  'policies without a cluster instead: record the traffic and run `cdk8s-netpol replay` (docs/guides/from-observed-traffic.md), or render ' +
  'for Calico (staged policies, Calico 3.30+) or Cilium (enableDefaultDeny: false)';

/**
 * The staged form of a rendered object; throws, naming `where`, what the engine cannot stage.
 * Tiers and other objects that enforce nothing by themselves are returned as they are.
 */
export function stageManifest(manifest: ManifestObject, engine: PolicyEngine, where: string): ManifestObject {
  if (engine === PolicyEngine.KUBERNETES) {
    throw new Error(`${where}: ${KUBERNETES_CANNOT_STAGE}`);
  }
  if (engine === PolicyEngine.CALICO) {
    const staged = CALICO_STAGED[manifest.kind];
    if (manifest.apiVersion !== 'projectcalico.org/v3' || staged === undefined) {
      if (manifest.kind === 'Tier') {
        return manifest;
      }
      throw new Error(`${where}: a staged rollout has no staged form for ${manifest.apiVersion} ${manifest.kind}`);
    }
    return { ...manifest, kind: staged, metadata: annotated(manifest.metadata) };
  }
  if (manifest.apiVersion !== 'cilium.io/v2' || !['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'].includes(manifest.kind)) {
    throw new Error(`${where}: a staged rollout has no staged form for ${manifest.apiVersion} ${manifest.kind}`);
  }
  const spec = manifest.spec as Record<string, any>;
  if (spec.ingressDeny !== undefined || spec.egressDeny !== undefined) {
    throw new Error(`${where}: Cilium cannot stage a deny rule: ingressDeny and egressDeny apply whatever enableDefaultDeny says, so ` +
      `the staged policy ${manifest.metadata.name} would deny already. Stage it on Calico (StagedGlobalNetworkPolicy), preview it with ` +
      '`cdk8s-netpol replay` against recorded flows, or enforce it');
  }
  const l7 = [...(spec.ingress ?? []), ...(spec.egress ?? [])].some((rule: any) => (rule.toPorts ?? [])
    .some((p: any) => p.rules?.http !== undefined || p.rules?.kafka !== undefined || p.rules?.l7 !== undefined));
  if (l7) {
    throw new Error(`${where}: Cilium cannot stage an HTTP (L7) rule: the proxy answers every request the rules do not list with 403, ` +
      `whatever enableDefaultDeny says, so the staged policy ${manifest.metadata.name} would deny already. Stage the L4 allowance ` +
      'first (calls instead of callsHttp), or preview the HTTP rules with `cdk8s-netpol replay` against recorded Hubble L7 flows');
  }
  return { ...manifest, metadata: annotated(manifest.metadata), spec: { ...spec, enableDefaultDeny: { ingress: false, egress: false } } };
}

/** The metadata with the staged mark: the model evaluates such Cilium policies as enforced when asked (NetworkModelOptions.evaluateStaged). */
function annotated(metadata: ManifestObject['metadata']): ManifestObject['metadata'] {
  return { ...metadata, annotations: { ...metadata.annotations ?? {}, [STAGED_ANNOTATION]: STAGED_VALUE } };
}
