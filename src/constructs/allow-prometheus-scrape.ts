import { Construct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { PolicyEmitter } from './policy-emitter';
import { PolicyProofs, RepresentativePod, labelsSatisfying } from './proofs';
import { checkPolicyName, checkPorts, requireProps } from './prop-checks';
import { PolicyEngine } from '../core/engine';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector, checkLabels, checkNamespaceName } from '../core/selector';
import { toDnsLabel } from '../util/names';
import { invalid } from '../util/validation';

/** Port numbers given to named ports and to "every port" in proofs (any number would do). */
const SYNTHETIC_PORT_BASE = 9100;
/** A namespace no chart uses, for the Prometheus-labelled pod that must not scrape. */
const ELSEWHERE = 'netpol-proof-elsewhere';

/** Props of `AllowPrometheusScrape`. */
export interface AllowPrometheusScrapeProps {
  /** The namespace of the pods to scrape. */
  readonly namespace: string;
  /**
   * Labels of the pods Prometheus may scrape; `{}` means every pod of the namespace.
   * @default { metrics: "enabled" }
   */
  readonly targets?: Record<string, string>;
  /**
   * The metrics ports of the targets.
   * @default [Port.tcp(9090)]
   */
  readonly ports?: Port[];
  /**
   * The namespace Prometheus runs in.
   * @default "monitoring"
   */
  readonly prometheusNamespace?: string;
  /**
   * Labels of the Prometheus pods; only these pods of `prometheusNamespace` may scrape (AND).
   * @default { app: "prometheus" }
   */
  readonly prometheusLabels?: Record<string, string>;
  /**
   * The policy name.
   * @default - the construct id as a DNS label (two constructs never share a name by default)
   */
  readonly name?: string;
  /**
   * The engine to render for.
   * @default - context key "cdk8s-netpol/engine", else PolicyEngine.KUBERNETES
   */
  readonly engine?: PolicyEngine;
}

/** The keys of AllowPrometheusScrapeProps: unknown keys are refused (a misspelt one would be ignored). */
const PROPS_KEYS: Record<keyof AllowPrometheusScrapeProps, true> = {
  namespace: true,
  targets: true,
  ports: true,
  prometheusNamespace: true,
  prometheusLabels: true,
  name: true,
  engine: true,
};

/**
 * Lets Prometheus scrape metrics: the Prometheus pods of the monitoring namespace (pods AND
 * namespace, never either alone) may reach the target pods on the metrics ports.
 *
 * Only the targets' ingress is governed here; if the monitoring namespace is locked down too,
 * Prometheus also needs an egress allowance there. The policy isolates the targets for
 * ingress: used without other allowances, they accept nothing but the scrapes.
 */
export class AllowPrometheusScrape extends Construct {
  /** The engine the policy is rendered for. */
  public readonly engine: PolicyEngine;

  constructor(scope: Construct, id: string, props: AllowPrometheusScrapeProps) {
    super(scope, id);
    const where = describeConstruct('AllowPrometheusScrape', this);
    requireProps(where, props, '{ namespace: "production" }', PROPS_KEYS);
    checkNamespaceName(where, 'namespace', props.namespace);
    checkLabels(where, 'targets', props.targets);
    checkPorts(where, 'ports', props.ports);
    const prometheusNamespace = props.prometheusNamespace ?? 'monitoring';
    checkNamespaceName(where, 'prometheusNamespace', prometheusNamespace);
    checkLabels(where, 'prometheusLabels', props.prometheusLabels);
    const prometheusLabels = props.prometheusLabels ?? { app: 'prometheus' };
    if (Object.keys(prometheusLabels).length === 0) {
      invalid(where, `prometheusLabels {} would let every pod of ${prometheusNamespace} scrape; give the Prometheus pods' labels, e.g. { app: "prometheus" }`);
    }
    checkPolicyName(where, 'name', props.name);
    this.engine = chooseEngine(this, props.engine, where);

    const targets = LabelSelector.of(props.targets ?? { metrics: 'enabled' });
    const prometheus = Peer.podsInNamespace(prometheusNamespace, prometheusLabels);
    const ports = props.ports ?? [Port.tcp(9090)];
    const policy = new PolicyEmitter(this, this.engine, where);
    policy.emit('Policy', {
      name: props.name ?? toDnsLabel(id),
      namespace: props.namespace,
      selector: targets,
      ingress: [{ peers: [prometheus], ports }],
      description: `${capitalized(String(prometheus))} may scrape ${targets.isEmpty ? 'every pod' : `pods ${targets}`} on ${ports.join(', ')}.`,
    });

    // Proof: Prometheus reaches a target on every metrics port (a named port through a
    // container port of that name on the representative target). Made when proven, from copies
    // taken now: the caller's props may change after this line.
    const namespace = props.namespace;
    const metricsPorts = [...ports];
    const scraperLabels = { ...prometheusLabels };
    PolicyProofs._promise(this, 'AllowPrometheusScrape', where, () => {
      const scraper: RepresentativePod = { namespace: prometheusNamespace, role: 'prometheus', labels: scraperLabels };
      const probes = metricsPorts.map((port, i) => ({ port, number: port.portNumber ?? SYNTHETIC_PORT_BASE + i }));
      const target: RepresentativePod = {
        namespace,
        role: 'target',
        labels: labelsSatisfying(targets),
        ports: probes.map(({ port, number }) => ({ port: number, protocol: port.protocol, ...(port.name ? { name: port.name } : {}) })),
      };
      // Only Prometheus, and only from its namespace: a pod of that namespace without the
      // Prometheus labels, and a Prometheus-labelled pod elsewhere, may not scrape (AND, not OR).
      const neighbour: RepresentativePod = { namespace: prometheusNamespace, role: 'not-prometheus', labels: {} };
      const elsewhere = prometheusNamespace === ELSEWHERE ? `${ELSEWHERE}-2` : ELSEWHERE;
      const impostor: RepresentativePod = { namespace: elsewhere, role: 'prometheus-elsewhere', labels: scraperLabels };
      return probes.flatMap(({ port, number }) => {
        const flow = (promise: string, from: RepresentativePod, allowed: boolean, who: string) => ({
          id: `${promise}-${port.protocol.toLowerCase()}-${port.name ?? number}`,
          description: `${who} ${allowed ? 'reaches' : 'cannot reach'} the targets on ${port}`,
          from,
          to: target,
          port: number,
          protocol: port.protocol,
          allowed,
        });
        return [
          flow('scrape', scraper, true, 'Prometheus'),
          flow('no-scrape-from-namespace', neighbour, false, `another pod of ${prometheusNamespace}`),
          flow('no-scrape-from-elsewhere', impostor, false, 'a Prometheus-labelled pod of another namespace'),
        ];
      });
    });
  }
}

/** "pods ..." -> "Pods ...": descriptions are sentences, like the other constructs'. */
function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
