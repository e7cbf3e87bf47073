import { CalicoRenderer } from './calico';
import { CiliumRenderer } from './cilium';
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

const RENDERERS: Record<PolicyEngine, PolicyRenderer> = {
  [PolicyEngine.KUBERNETES]: new KubernetesRenderer(),
  [PolicyEngine.CILIUM]: new CiliumRenderer(),
  [PolicyEngine.CALICO]: new CalicoRenderer(),
};

/** The renderer of an engine. */
export function rendererFor(engine: PolicyEngine, where: string): PolicyRenderer {
  const renderer = Object.prototype.hasOwnProperty.call(RENDERERS, engine) ? RENDERERS[engine] : undefined;
  if (renderer === undefined) {
    throw new Error(`${where}: engine ${JSON.stringify(engine)} is unknown; expected one of ${Object.values(PolicyEngine).map((e) => `"${e}"`).join(', ')}`);
  }
  return renderer;
}
