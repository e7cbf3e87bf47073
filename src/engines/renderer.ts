import { KubernetesRenderer } from './kubernetes';
import { ManifestObject } from './manifest';
import { PolicyEngine } from '../core/engine';
import { PolicyIntent } from '../core/intent';

/** Renders engine-neutral intents to one engine's manifests; throws when the engine cannot express one. */
export interface PolicyRenderer {
  readonly engine: PolicyEngine;
  /**
   * @param intent what the policy must allow
   * @param where the user's construct, named in errors
   */
  render(intent: PolicyIntent, where: string): ManifestObject;
}

const KUBERNETES = new KubernetesRenderer();

/** The renderer of an engine; throws for engines this release cannot render yet. */
export function rendererFor(engine: PolicyEngine, where: string): PolicyRenderer {
  switch (engine) {
    case PolicyEngine.KUBERNETES:
      return KUBERNETES;
    case PolicyEngine.CILIUM:
    case PolicyEngine.CALICO:
      throw new Error(`${where}: engine PolicyEngine.${engine.toUpperCase()} is not yet supported by cdk8s-netpol; ` +
        'use PolicyEngine.KUBERNETES (the default) until the Cilium and Calico renderers land');
    default:
      throw new Error(`${where}: engine ${JSON.stringify(engine)} is unknown; expected one of ${Object.values(PolicyEngine).map((e) => `"${e}"`).join(', ')}`);
  }
}
