import { STAGED_ANNOTATION, STAGED_VALUE } from '../util/mark';
import { show } from '../util/validation';

// Staged policies evaluated as if they were enforced (NetworkModelOptions.evaluateStaged): what
// a staged rollout would deny once it is enforced.
//  - Calico's staged kinds (projectcalico.org/v3 StagedNetworkPolicy, StagedGlobalNetworkPolicy,
//    StagedKubernetesNetworkPolicy: the enforced kind's spec plus `stagedAction`) become the
//    enforced kind; with stagedAction Set (the default), Learn or Ignore the staged policy is
//    evaluated as if created or updated, replacing an enforced policy of the same kind,
//    namespace and name; a staged deletion (Delete) is not modelled and refused.
//  - Cilium policies a staged rollout of this library rendered (annotation
//    cdk8s-netpol.io/rollout: staged) lose the `enableDefaultDeny: false` that staged them.
// Other objects are returned as they are.

const CALICO_ENFORCED: Record<string, { apiVersion: string; kind: string }> = {
  StagedNetworkPolicy: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' },
  StagedGlobalNetworkPolicy: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' },
  StagedKubernetesNetworkPolicy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
};

const STAGED_ACTIONS = ['Set', 'Learn', 'Ignore', 'Delete'];

/** Whether an object is a staged policy that `asEnforced` turns into an enforced one. */
export function isStagedPolicy(obj: any): boolean {
  if (obj === null || typeof obj !== 'object') {
    return false;
  }
  if (obj.apiVersion === 'projectcalico.org/v3' && typeof obj.kind === 'string' && Object.prototype.hasOwnProperty.call(CALICO_ENFORCED, obj.kind)) {
    return true;
  }
  return obj.apiVersion === 'cilium.io/v2' && (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy') &&
    obj.metadata?.annotations?.[STAGED_ANNOTATION] === STAGED_VALUE;
}

/**
 * The enforced form of a staged policy (see above), or the object itself. Throws, naming the
 * object, for a stagedAction that is not one of Calico's or a staged deletion.
 */
export function asEnforced(obj: any): any {
  if (!isStagedPolicy(obj)) {
    return obj;
  }
  const named = `${obj.kind} ${obj.metadata?.namespace !== undefined ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
  if (obj.apiVersion === 'cilium.io/v2') {
    const { enableDefaultDeny, ...spec } = obj.spec ?? {};
    return { ...obj, spec };
  }
  const { stagedAction, ...spec } = obj.spec ?? {};
  if (stagedAction !== undefined && !STAGED_ACTIONS.includes(stagedAction)) {
    throw new Error(`${named}: stagedAction ${show(stagedAction)} is not one of ${STAGED_ACTIONS.join(', ')}`);
  }
  if (stagedAction === 'Delete') {
    throw new Error(`${named}: a staged deletion (stagedAction Delete) is not modelled; evaluate the policies without evaluateStaged, ` +
      'or leave the object out to see the policies without the one it deletes');
  }
  const enforced = CALICO_ENFORCED[obj.kind];
  return { ...obj, apiVersion: enforced.apiVersion, kind: enforced.kind, spec };
}

/**
 * The objects with their staged policies as enforced ones (`asEnforced`); an enforced policy that
 * a staged one of the same kind, namespace and name updates is left out (the staged one
 * replaces it).
 */
export function withStagedAsEnforced(objects: any[]): any[] {
  const staged = new Set<string>();
  const converted = objects.map((obj) => {
    if (!isStagedPolicy(obj)) {
      return { obj, fromStaged: false };
    }
    const enforced = asEnforced(obj);
    staged.add(identity(enforced));
    return { obj: enforced, fromStaged: true };
  });
  return converted.filter(({ obj, fromStaged }) => fromStaged || !staged.has(identity(obj))).map(({ obj }) => obj);
}

function identity(obj: any): string {
  return JSON.stringify([obj?.apiVersion, obj?.kind, obj?.metadata?.namespace ?? null, obj?.metadata?.name]);
}
