import { IConstruct } from 'constructs';
import { checkModelOptions } from '../analysis/model-input';
import { NetworkModelOptions } from '../analysis/types';

/**
 * The context key giving the cluster's pod address ranges to the proofs (a list, or a
 * comma-separated string: `["10.244.0.0/16"]`), for policies whose verdict depends on where a
 * pod's address lies (Calico `nets`); see `NetworkModelOptions.podCidrs`.
 */
export const POD_CIDRS_CONTEXT_KEY = 'cdk8s-netpol/pod-cidrs';
/**
 * The context key naming the Cilium cluster (`cluster-name` of cilium-config) for the proofs:
 * endpoints carry it as `io.cilium.k8s.policy.cluster`; see `NetworkModelOptions.clusterName`.
 */
export const CLUSTER_NAME_CONTEXT_KEY = 'cdk8s-netpol/cluster-name';
/**
 * The context key naming the cluster's Calico release for the proofs and the synth-time lint
 * (e.g. "3.31.5"); see `NetworkModelOptions.calicoVersion`.
 */
export const CALICO_VERSION_CONTEXT_KEY = 'cdk8s-netpol/calico-version';

/**
 * The context key of the rollout mode: "enforce" (the default) renders policies the cluster
 * enforces; "staged" renders them so that the cluster evaluates them without enforcing them
 * (Calico staged policies, Cilium policies without default deny). The synth-time proofs and
 * replay then evaluate the staged policies as enforced (`NetworkModelOptions.evaluateStaged`):
 * what they promise is what the rollout gives once enforced.
 */
export const ROLLOUT_CONTEXT_KEY = 'cdk8s-netpol/rollout';

/** The model option each context key sets. */
const KEYS: Record<'podCidrs' | 'clusterName' | 'calicoVersion', string> = {
  podCidrs: POD_CIDRS_CONTEXT_KEY,
  clusterName: CLUSTER_NAME_CONTEXT_KEY,
  calicoVersion: CALICO_VERSION_CONTEXT_KEY,
};

/**
 * The engine-semantics model options from the context keys `cdk8s-netpol/pod-cidrs` (a list, or a
 * comma-separated string), `cdk8s-netpol/cluster-name` and `cdk8s-netpol/calico-version`, each as
 * the app or the first of `scopes` that sets it gives it. A bad value throws, naming the context key
 * (not the API the tools call with it), so that the user knows which line of `cdk8s.yaml` to fix.
 */
export function semanticsContextOf(scopes: readonly IConstruct[]): NetworkModelOptions {
  const context = (key: string) => scopes.map((scope) => scope.node.tryGetContext(key)).find((v) => v !== undefined);
  const cidrs = context(POD_CIDRS_CONTEXT_KEY);
  const clusterName = context(CLUSTER_NAME_CONTEXT_KEY);
  const calicoVersion = context(CALICO_VERSION_CONTEXT_KEY);
  if (typeof calicoVersion === 'number') {
    throw new Error(`context key ${CALICO_VERSION_CONTEXT_KEY} is the number ${calicoVersion}: numbers lose trailing zeros (3.30 reads as 3.3), ` +
      'so give the release as a string, e.g. "3.33" or "3.31.5"');
  }
  const options: NetworkModelOptions = {
    ...(context(ROLLOUT_CONTEXT_KEY) === 'staged' ? { evaluateStaged: true } : {}),
    ...(cidrs !== undefined ? { podCidrs: typeof cidrs === 'string' ? cidrs.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : cidrs } : {}),
    ...(clusterName !== undefined ? { clusterName } : {}),
    ...(calicoVersion !== undefined ? { calicoVersion } : {}),
  };
  try {
    checkModelOptions('', options);
  } catch (e) {
    let message = (e as Error).message.replace(/^: /, '');
    for (const [option, key] of Object.entries(KEYS)) {
      message = message.replace(new RegExp(`^${option}(\\[\\d+\\])? `), (_m, index: string | undefined) => `context key ${key}${index ?? ''} `);
    }
    throw new Error(message);
  }
  return options;
}
