import { PolicyIntent } from '../core/intent';
import { flat } from '../util/flat';

/** A rendered Kubernetes object as plain JSON, before cdk8s wraps it in an `ApiObject`. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: Record<string, unknown>;
}

/** Annotation that carries a policy's one-sentence description for reviewers. */
export const DESCRIPTION_ANNOTATION = 'cdk8s-netpol.io/description';

/** The metadata every renderer gives a namespaced policy: its name, namespace and description. */
export function policyMetadata(intent: Pick<PolicyIntent, 'name' | 'namespace' | 'description'>): ManifestObject['metadata'] {
  return {
    name: intent.name,
    namespace: intent.namespace,
    ...(intent.description ? { annotations: { [DESCRIPTION_ANNOTATION]: flat(intent.description) } } : {}),
  };
}
