import { Construct } from 'constructs';
import { ENGINE_CONTEXT_KEY, PolicyEngine } from '../core/engine';
import { show } from '../util/validation';

/**
 * The engine a construct renders for: its own `engine` prop, else the context key
 * `cdk8s-netpol/engine` (app-wide default), else Kubernetes NetworkPolicy.
 */
export function chooseEngine(scope: Construct, prop: PolicyEngine | undefined, where: string): PolicyEngine {
  const valid = Object.values(PolicyEngine) as string[];
  if (prop !== undefined) {
    if (!valid.includes(prop)) {
      throw new Error(`${where}: engine ${show(prop)} is unknown; expected one of ${valid.map((e) => `"${e}"`).join(', ')} (PolicyEngine.KUBERNETES, CILIUM or CALICO)`);
    }
    return prop;
  }
  const fromContext = scope.node.tryGetContext(ENGINE_CONTEXT_KEY);
  if (fromContext === undefined) {
    return PolicyEngine.KUBERNETES;
  }
  if (!valid.includes(fromContext)) {
    throw new Error(`${where}: context ${ENGINE_CONTEXT_KEY} = ${show(fromContext)} is unknown; expected one of ${valid.map((e) => `"${e}"`).join(', ')}`);
  }
  return fromContext as PolicyEngine;
}
