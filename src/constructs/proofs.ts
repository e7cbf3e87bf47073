import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { emitterOf } from './policy-emitter';
import { NetworkModel } from '../analysis/model';
import { ContainerPort } from '../analysis/types';
import { PolicyEngine } from '../core/engine';
import { Peer, PeerKind } from '../core/peer';
import { LabelOperator, LabelSelector } from '../core/selector';
import { toDnsLabel } from '../util/names';
import { invalid, show } from '../util/validation';

/** The context key that turns the synth-time proofs off (`false`), e.g. to measure synthesis alone. */
export const PROOFS_CONTEXT_KEY = 'cdk8s-netpol/proofs';

/** A pod that stands for a group of pods in a proof. */
export interface RepresentativePod {
  readonly namespace: string;
  /** What the pod stands for, e.g. "frontend"; part of the synthetic pod's name. */
  readonly role: string;
  readonly labels: Record<string, string>;
  readonly ports?: ContainerPort[];
}

/** One flow a construct promises: allowed, or denied whatever else the chart emits. */
export interface FlowPromise {
  /** Stable id, e.g. "no-frontend-to-database"; what `PolicyProofs.accept` names. */
  readonly id: string;
  /** "frontend reaches api on TCP/8080". */
  readonly description: string;
  readonly from: RepresentativePod;
  /** A representative pod, or an IP literal outside the cluster. */
  readonly to: RepresentativePod | string;
  readonly port: number;
  readonly protocol: string;
  readonly allowed: boolean;
}

interface Promiser {
  readonly construct: IConstruct;
  /** The construct as named in errors. */
  readonly where: string;
  readonly promises: FlowPromise[];
  readonly accepted: Map<string, string>;
}

/** The promises of every construct of a chart, checked once when the chart is validated. */
class ChartProofs {
  public readonly promisers: Promiser[] = [];

  constructor(private readonly chart: Chart) {}

  public validate(): string[] {
    if (this.chart.node.tryGetContext(PROOFS_CONTEXT_KEY) === false || this.chart.node.tryGetContext(PROOFS_CONTEXT_KEY) === 'false') {
      return [];
    }
    // Not chart.toJson(): it validates the chart, which would run this validation again.
    const objects = this.chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
    // The model evaluates Kubernetes NetworkPolicy only: a chart with other engines' policies
    // cannot be proven by it, and a partial proof would be a false one.
    if (objects.some((o: any) => typeof o?.apiVersion === 'string' && (o.apiVersion.startsWith('cilium.io/') || o.apiVersion.startsWith('projectcalico.org/')))) {
      return [];
    }
    const model = NetworkModel.fromManifests(objects);
    const added = new Set(model.podIds);
    const endpoint = (side: RepresentativePod | string, promiser: Promiser): string => {
      if (typeof side === 'string') {
        return side;
      }
      const name = `netpol-proof-${toDnsLabel(promiser.construct.node.path, 40)}-${side.role}`;
      const id = `${side.namespace}/${name}`;
      if (!added.has(id)) {
        model.addPod({ namespace: side.namespace, name, labels: side.labels, ports: side.ports });
        added.add(id);
      }
      return id;
    };
    const errors: string[] = [];
    for (const promiser of this.promisers) {
      for (const promise of promiser.promises) {
        if (promiser.accepted.has(promise.id)) {
          continue;
        }
        const verdict = model._explain({
          from: endpoint(promise.from, promiser),
          to: endpoint(promise.to, promiser),
          port: promise.port,
          protocol: promise.protocol,
        });
        if (verdict.allowed === promise.allowed) {
          continue;
        }
        const culprits = promise.allowed
          ? verdict.sides.filter((s) => !s.allowed).flatMap((s) => s.isolatedBy)
          : verdict.sides.map((s) => s.allowedBy).filter((id): id is string => id !== undefined);
        const named = [...new Set(culprits)].map((id) => {
          const [namespace, name] = id.split('/');
          const by = emitterOf(this.chart, 'NetworkPolicy', namespace, name);
          return by ? `${id} (from ${by})` : id;
        });
        errors.push(`${promiser.where} promises that ${promise.description} [${promise.id}], but ` +
          `${promise.allowed ? `it is blocked by ${named.join(', ')}` : `${named.join(' and ')} open${named.length === 1 ? 's' : ''} it`}. ` +
          `${verdict.reasons.join('; ')}. If this is intended, call PolicyProofs.accept(<the ${promiser.where.split(' ')[0]}>, '${promise.id}', '<why>')`);
      }
    }
    return errors;
  }
}

const CHARTS = new WeakMap<Chart, ChartProofs>();
const PROMISERS = new WeakMap<IConstruct, Promiser>();

/**
 * The synth-time proofs: every construct states the flows it promises, and when its chart is
 * validated (`cdk8s synth`, `app.synth()`, `Testing.synth()`) a NetworkModel of everything the
 * chart emits checks each promise. A promise broken by another construct fails synthesis naming
 * both constructs and the policy that opened (or blocked) the path, unless it was accepted
 * with a reason.
 */
export class PolicyProofs {
  /**
   * Accepts that a promise of `construct` is broken on purpose, with the reason (kept for the
   * reviewer of the code, like a cdk-nag suppression).
   * @param construct the construct that made the promise, e.g. a ThreeTierApp
   * @param promise the promise id named in the synth error, e.g. "no-frontend-to-database"
   * @param reason why the broken promise is acceptable (at least 10 characters)
   */
  public static accept(construct: IConstruct, promise: string, reason: string): void {
    const where = 'PolicyProofs.accept()';
    const promiser = construct !== null && typeof construct === 'object' ? PROMISERS.get(construct) : undefined;
    if (!promiser) {
      invalid(where, `${show(construct?.node?.path ?? construct)} is not a construct of cdk8s-netpol that makes promises`);
    }
    const ids = promiser.promises.map((p) => p.id);
    if (!ids.includes(promise)) {
      invalid(where, `${promiser.where} makes no promise ${show(promise)}; its promises are ${ids.join(', ')}`);
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      invalid(where, `reason ${show(reason)} must say why breaking ${show(promise)} is acceptable (at least 10 characters)`);
    }
    promiser.accepted.set(promise, reason.trim());
  }

  /** The ids and descriptions of the promises a construct makes ("id: description"). */
  public static promisesOf(construct: IConstruct): string[] {
    return (PROMISERS.get(construct)?.promises ?? []).map((p) => `${p.id}: ${p.description}`);
  }

  /**
   * Registers a construct's promises with its chart (internal: constructs call it).
   * @internal
   */
  public static _promise(construct: Construct, where: string, engine: PolicyEngine, promises: FlowPromise[]): void {
    if (engine !== PolicyEngine.KUBERNETES || promises.length === 0) {
      return;
    }
    const chart = Chart.of(construct);
    let proofs = CHARTS.get(chart);
    if (!proofs) {
      const created = new ChartProofs(chart);
      proofs = created;
      CHARTS.set(chart, created);
      chart.node.addValidation({ validate: () => created.validate() });
    }
    const promiser: Promiser = { construct, where, promises, accepted: new Map() };
    proofs.promisers.push(promiser);
    PROMISERS.set(construct, promiser);
  }
}

/** Concrete labels that `selector` selects: its labels, and for expressions a value that satisfies them. */
export function labelsSatisfying(selector: LabelSelector): Record<string, string> {
  const labels: Record<string, string> = { ...selector.labels };
  for (const e of selector.expressions) {
    if (e.operator === LabelOperator.IN && labels[e.key] === undefined) {
      labels[e.key] = e.values[0];
    } else if (e.operator === LabelOperator.EXISTS && labels[e.key] === undefined) {
      labels[e.key] = 'present';
    }
  }
  return labels;
}

/** The pod that stands for a DNS peer (pods in a named namespace), if the peer is one. */
export function dnsRepresentative(peer: Peer): RepresentativePod | undefined {
  const spec = peer._spec;
  if (spec.kind !== PeerKind.PODS || spec.namespaces.kind !== 'name') {
    return undefined;
  }
  return { namespace: spec.namespaces.name, role: 'dns', labels: labelsSatisfying(spec.pods), ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] };
}

/** The promises that a pod may resolve names: UDP and TCP 53 to the DNS peer. */
export function dnsPromises(from: RepresentativePod, dns: Peer, role: string): FlowPromise[] {
  const server = dnsRepresentative(dns);
  if (!server) {
    return [];
  }
  return ['UDP', 'TCP'].map((protocol) => ({
    id: `${role}-dns-${protocol.toLowerCase()}`,
    description: `${role} reaches ${dns} on ${protocol}/53`,
    from,
    to: server,
    port: 53,
    protocol,
    allowed: true,
  }));
}
