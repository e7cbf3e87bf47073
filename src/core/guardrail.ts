import { Peer, PeerKind } from './peer';
import { Port } from './port';

/**
 * Where a guardrail sits among the cluster's policies: `ADMIN` before every namespace policy (no
 * namespace policy can override it), `BASELINE` after them (it decides only where no namespace
 * policy selects the pod).
 */
export enum GuardrailTier {
  ADMIN = 'admin',
  BASELINE = 'baseline',
}

/** What a guardrail does with the traffic it matches. */
export enum GuardrailAction {
  DENY = 'deny',
  ALLOW = 'allow',
}

/**
 * One cluster-wide rule, before any engine renders it: traffic from `from` to `to` on `ports`
 * (none: every port and protocol) is allowed or denied in a tier, at a priority (lower first).
 * @internal
 */
export interface GuardrailIntent {
  /** The base name of the objects the engine emits (a DNS-1123 label). */
  readonly name: string;
  readonly tier: GuardrailTier;
  readonly action: GuardrailAction;
  /** 0 to 1000, unique within the tier in the app; lower is evaluated first. */
  readonly priority: number;
  readonly from: Peer;
  readonly to: Peer;
  readonly ports: readonly Port[];
  /** One sentence for reviewers. */
  readonly description: string;
}

/** Whether a peer is pods (of named or selected namespaces): the only peers a subject can be. */
export function isPodPeer(peer: Peer): boolean {
  return peer.kind === PeerKind.PODS;
}
