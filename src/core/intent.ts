import { HttpRule, validateHttpRules } from './http-rule';
import { Peer, PeerKind } from './peer';
import { Port } from './port';
import { LabelSelector, checkNamespaceName } from './selector';
import { dns1123SubdomainProblem } from '../util/names';
import { invalid, show } from '../util/validation';

/** One allow rule: traffic to/from any of `peers` (OR) on any of `ports` (OR). */
export interface PolicyRule {
  /** The other ends of the connection; at least one. */
  readonly peers: Peer[];
  /**
   * Destination ports.
   * @default - every port of every protocol
   */
  readonly ports?: Port[];
  /**
   * L7: only these HTTP requests (Cilium only; other engines throw). Needs `ports`.
   * @default - no L7 restriction
   */
  readonly http?: HttpRule[];
}

/**
 * What a policy means, before any engine renders it: the pods it selects and, per direction,
 * either nothing (the direction is not governed) or the list of allowed rules (the direction is
 * isolated; an empty list allows nothing).
 */
export interface PolicyIntent {
  /** The policy object's name (DNS-1123 subdomain). */
  readonly name: string;
  /** The namespace of the policy and of the pods it selects. */
  readonly namespace: string;
  /** The pods the policy applies to. */
  readonly selector: LabelSelector;
  /**
   * Allowed ingress. Set (even to `[]`) to isolate the selected pods for ingress.
   * @default - the policy does not govern ingress
   */
  readonly ingress?: PolicyRule[];
  /**
   * Allowed egress. Set (even to `[]`) to isolate the selected pods for egress.
   * @default - the policy does not govern egress
   */
  readonly egress?: PolicyRule[];
  /**
   * One sentence for reviewers, emitted as an annotation.
   * @default - none
   */
  readonly description?: string;
  /**
   * Where the cluster DNS runs, for engines that must open it next to name-based rules
   * (Cilium `toFQDNs` needs its DNS proxy to see the lookups).
   * @default Peer.kubeDns()
   */
  readonly dns?: Peer;
}

/**
 * Checks what every engine relies on: a valid name and namespace, at least one governed
 * direction, and rules that name at least one peer. `where` names the construct in errors.
 */
export function validateIntent(where: string, intent: PolicyIntent): void {
  const nameProblem = dns1123SubdomainProblem(intent.name);
  if (nameProblem) {
    invalid(where, `policy name ${show(intent.name)} is not a valid object name: ${nameProblem}`);
  }
  checkNamespaceName(where, 'namespace', intent.namespace);
  if (!(intent.selector instanceof LabelSelector)) {
    invalid(where, `selector ${show(intent.selector)} of policy ${show(intent.name)} is not a LabelSelector; use LabelSelector.of({...}) or LabelSelector.all()`);
  }
  validateIntentRules(where, intent);
}

/**
 * Checks the rules of an intent whose name, namespace and selector were checked before (a policy
 * that grows rule by rule): at least one governed direction, and rules that name at least one peer.
 */
export function validateIntentRules(where: string, intent: PolicyIntent): void {
  if (intent.ingress === undefined && intent.egress === undefined) {
    invalid(where, `policy ${show(intent.name)} governs neither ingress nor egress`);
  }
  for (const [direction, rules] of [['ingress', intent.ingress], ['egress', intent.egress]] as const) {
    if (rules !== undefined && !Array.isArray(rules)) {
      invalid(where, `${direction} of policy ${show(intent.name)} is not a list of rules`);
    }
    (rules ?? []).forEach((rule, i) => {
      if (rule.ports !== undefined && !Array.isArray(rule.ports)) {
        invalid(where, `${direction} rule ${i} ports ${show(rule.ports)} is not a list of Ports`);
      }
      if (!Array.isArray(rule.peers) || rule.peers.length === 0) {
        invalid(where, `${direction} rule ${i} of policy ${show(intent.name)} has no peers; name at least one Peer`);
      }
      rule.peers.forEach((peer, j) => {
        if (!(peer instanceof Peer)) {
          invalid(where, `${direction} rule ${i} peer ${j} ${show(peer)} is not a Peer; use the Peer static factories`);
        }
      });
      (rule.ports ?? []).forEach((port, j) => {
        if (!(port instanceof Port)) {
          invalid(where, `${direction} rule ${i} port ${j} ${show(port)} is not a Port; use the Port static factories`);
        }
      });
      // A named port is looked up on the destination pod; an address outside the cluster has
      // none, so such a rule would silently allow nothing.
      const named = (rule.ports ?? []).find((port) => port.name !== undefined);
      const external = rule.peers.find((peer) => peer.kind !== PeerKind.PODS);
      if (rule.http !== undefined) {
        validateHttpRules(where, `${direction} rule ${i} http`, rule.http);
        if (!rule.ports || rule.ports.length === 0) {
          invalid(where, `${direction} rule ${i} has HTTP rules but no port; L7 rules apply to one TCP port`);
        }
      }
      if (direction === 'egress' && named && external) {
        invalid(where, `egress rule ${i} pairs the named port ${named} with ${external}, which has no container ports to name; ` +
          'use a numbered port such as Port.tcp(443)');
      }
    });
  }
}
