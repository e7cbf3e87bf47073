import { IConstruct } from 'constructs';
import { PolicyEngine } from '../core/engine';
import { CALICO_VERSION_CONTEXT_KEY, ROLLOUT_CONTEXT_KEY } from '../synth/semantics-context';
import { show } from '../util/validation';


/** The rollout modes. */
export type Rollout = 'enforce' | 'staged';

/** Calico open source has staged policies from 3.30 (minor version). */
const CALICO_STAGED_MINOR = 30;

/**
 * The rollout mode of a construct, from the context key `cdk8s-netpol/rollout`; throws, naming the
 * construct and the key, for a value that is neither mode, and for a staged rollout on a Calico
 * release without staged policies (`cdk8s-netpol/calico-version` below 3.30).
 */
export function rolloutOf(scope: IConstruct, engine: PolicyEngine, where: string): Rollout {
  const value = scope.node.tryGetContext(ROLLOUT_CONTEXT_KEY);
  if (value === undefined || value === 'enforce') {
    return 'enforce';
  }
  if (value !== 'staged') {
    throw new Error(`${where}: context key ${ROLLOUT_CONTEXT_KEY} is ${show(value)}; it is "enforce" (the default) or "staged"`);
  }
  if (engine === PolicyEngine.CALICO) {
    const version = scope.node.tryGetContext(CALICO_VERSION_CONTEXT_KEY);
    const minor = typeof version === 'string' ? /^v?3\.(\d+)/.exec(version)?.[1] : undefined;
    if (minor !== undefined && Number(minor) < CALICO_STAGED_MINOR) {
      throw new Error(`${where}: a staged rollout needs Calico's staged policies, which Calico open source has from 3.30; ` +
        `${CALICO_VERSION_CONTEXT_KEY} is ${show(version)}. Upgrade Calico, or preview with \`cdk8s-netpol replay\` against recorded flows`);
    }
  }
  return 'staged';
}
