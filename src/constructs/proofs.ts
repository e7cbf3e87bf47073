import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { emitterOf } from './policy-emitter';
import { withAdmissionMemo } from '../analysis/admission/admission';
import { classify, evaluatedPolicyCni } from '../analysis/kinds';
import { NetworkModel } from '../analysis/model';
import { calicoSemanticsOf } from '../analysis/model-input';
import { DecisionCause, PolicyRef, SideDecision } from '../analysis/semantics/decision';
import { ContainerPort, HttpRequest, NetworkModelOptions } from '../analysis/types';
import { Peer, PeerKind } from '../core/peer';
import { LabelOperator, LabelSelector } from '../core/selector';
import { AppCheck, AppSnapshot, CheckCharts, registerCheck } from '../synth/app-checks';
import { AppRevision } from '../synth/app-revision';
import { POD_CIDRS_CONTEXT_KEY, semanticsContextOf } from '../synth/semantics-context';
import { synthWarning } from '../synth/synth-warnings';
import { invalid, show } from '../util/validation';

/** The context key that turns the synth-time proofs off (`false`), e.g. to measure synthesis alone. */
export const PROOFS_CONTEXT_KEY = 'cdk8s-netpol/proofs';

/** A pod that stands for a group of pods in a proof. */
export interface RepresentativePod {
  readonly namespace: string;
  /**
   * The labels of its namespace, when the pod stands for pods of selected namespaces: the proofs
   * add the namespace with them (a namespace the app's manifests hold keeps its own labels).
   * @default - the namespace as the manifests give it (or with its name label only)
   */
  readonly namespaceLabels?: Record<string, string>;
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
  /** A representative pod, or an IP literal outside the cluster. */
  readonly from: RepresentativePod | string;
  /** A representative pod, an IP literal outside the cluster, or a DNS name outside it. */
  readonly to: RepresentativePod | string;
  readonly port: number;
  readonly protocol: string;
  /** The HTTP request the flow carries, for promises about L7 rules. */
  readonly http?: HttpRequest;
  /**
   * Only the destination's ingress decides (the promise is about what the destination admits,
   * whatever the source's own egress policies say).
   * @default false: both sides decide, as for a real connection
   */
  readonly ingressOnly?: boolean;
  /**
   * Only the source's egress decides (the promise is about what the source may send, whatever
   * the destination's own ingress policies say).
   * @default false: both sides decide, as for a real connection
   */
  readonly egressOnly?: boolean;
  /**
   * What else to do when the promise is broken, in the construct's own terms: for a denied flow,
   * how to declare it when it is meant ("or declare the call with frontend.calls(database)"); for
   * an allowed one, what the construct leaves to others.
   * @default - none
   */
  readonly remedy?: string;
  readonly allowed: boolean;
}

interface Promiser {
  readonly construct: IConstruct;
  /** The construct's class as users write it, e.g. "ThreeTierApp": the errors name it in the call that accepts a conflict. */
  readonly kind: string;
  /** The chart whose validation reports this promiser's broken promises. */
  readonly chart: Chart;
  /** The construct as named in errors. */
  readonly where: string;
  /**
   * Produces the promises. Made when proven, not kept: an estate's constructs make tens of
   * thousands, and a larger heap slows cdk8s's tree walks through the whole synthesis.
   */
  readonly promises: () => FlowPromise[];
  readonly accepted: Map<string, string>;
}

/**
 * The promises of every construct of an app, checked against a NetworkModel of everything the
 * app emits (all charts: an app usually targets one cluster, and a policy of one chart opens
 * paths for the pods of another). Computed once per app and state, reported per chart.
 */
class AppProofs implements AppCheck {
  public readonly contextKey = PROOFS_CONTEXT_KEY;
  public readonly promisers: Promiser[] = [];
  /** The app's revision: a promise made or accepted moves it. */
  private readonly revision: AppRevision;

  constructor(private readonly root: IConstruct) {
    this.revision = AppRevision.of(root);
  }

  /** Records a promise made by `promiser` (the proofs change: the app's revision moves). */
  public promise(promiser: Promiser): void {
    this.promisers.push(promiser);
    this.revision.revise();
  }

  /** Records that `promiser` breaks its promise `id` on purpose (the app's revision moves). */
  public accept(promiser: Promiser, id: string, reason: string): void {
    promiser.accepted.set(id, reason);
    this.revision.revise();
  }

  public run(snapshot: AppSnapshot, { registered }: CheckCharts): Map<IConstruct, string[]> {
    // The snapshot's objects are the round's own copies: admitted once, by the lint or here.
    return withAdmissionMemo(() => this.check(snapshot.jsons, registered));
  }

  private check(objects: any[], charts: readonly IConstruct[]): Map<IConstruct, string[]> {
    const errors = new Map<IConstruct, string[]>();
    const report = (promiser: Promiser, message: string) => errors.set(promiser.chart, [...(errors.get(promiser.chart) ?? []), message]);
    const provable = this.promisers.map((promiser) => ({ promiser, promises: promiser.promises() })).filter((p) => p.promises.length > 0);
    if (provable.length === 0) {
      return errors;
    }
    const notProven = (why: string) => synthWarning(this.root, 'proofs', `${provable.reduce((n, p) => n + p.promises.length, 0)} promises of ` +
      `${provable.length} constructs are not proven: ${why}`);
    // A policy the model cannot evaluate could open or close any path: a proof without it
    // would be a false one, so none is made, and the user is told.
    const unmodelled = [...new Set(objects.filter((o) => classify(o).category === 'refused')
      .map((o) => `${o.apiVersion} ${o.kind}`))];
    if (unmodelled.length > 0) {
      notProven(`the app also holds ${unmodelled.join(', ')}, which the NetworkModel does not evaluate`);
      return errors;
    }
    // One cluster runs one CNI: an app holding both Cilium and Calico policies targets several
    // clusters, and no single model stands for it.
    const cnis = new Set(objects.map(evaluatedPolicyCni).filter((cni) => cni === 'Cilium' || cni === 'Calico'));
    if (cnis.size > 1) {
      notProven('the app holds both Cilium and Calico policies (one cluster runs one CNI); prove each cluster\'s charts in an App of its own');
      return errors;
    }
    // A bad context value is the app's configuration, not an object's: said once, naming the key.
    let semantics: NetworkModelOptions;
    try {
      semantics = semanticsContextOf(charts);
    } catch (e) {
      const chart = provable[0].promiser.chart;
      errors.set(chart, [...(errors.get(chart) ?? []), `[cdk8s-netpol] proofs: ${(e as Error).message}`]);
      return errors;
    }
    // ClusterNetworkPolicy where the model does not evaluate it (docs/semantics/cluster.md#engines):
    // like a refused kind, the proofs are not made, and the user is told.
    if (objects.some((o) => evaluatedPolicyCni(o) === 'NetworkPolicyApi')) {
      if (cnis.has('Cilium')) {
        notProven('the app holds ClusterNetworkPolicy objects and Cilium policies, and the NetworkModel does not evaluate ClusterNetworkPolicy ' +
          'under Cilium (Cilium 1.20 enforces it behind --enable-k8s-cluster-network-policy; the model follows 1.19)');
        return errors;
      }
      if (cnis.has('Calico') && semantics.calicoVersion !== undefined && !calicoSemanticsOf(semantics.calicoVersion).clusterNetworkPolicy) {
        notProven(`the app holds ClusterNetworkPolicy objects, which Calico ${semantics.calicoVersion} does not enforce (from 3.32)`);
        return errors;
      }
    }
    let model: NetworkModel;
    try {
      model = NetworkModel.fromManifests(objects, semantics);
    } catch (e) {
      for (const { promiser } of provable) {
        report(promiser, `${promiser.where}: its promises cannot be proven: ${(e as Error).message}. ` +
          `Fix that object, or turn the proofs off with the context key ${PROOFS_CONTEXT_KEY}: false`);
      }
      return errors;
    }
    const taken = new Set(model.podIds);
    const own = new Set<string>();
    // A construct's promises share their representative pods: each is named and added once.
    const ids = new Map<RepresentativePod, string>();
    const endpoint = (side: RepresentativePod | string, index: number): string => {
      if (typeof side === 'string') {
        return side;
      }
      const known = ids.get(side);
      if (known !== undefined) {
        return known;
      }
      // Named by the promiser's position in the app, so two constructs never share a pod.
      let name = `netpol-proof-${index}-${side.role}`;
      while (taken.has(`${side.namespace}/${name}`) && !own.has(`${side.namespace}/${name}`)) {
        name = `${name}-x`;
      }
      const id = `${side.namespace}/${name}`;
      if (!own.has(id)) {
        if (side.namespaceLabels !== undefined && !model.namespaceNames.includes(side.namespace)) {
          model.addNamespace(side.namespace, side.namespaceLabels);
        }
        model.addPod({ namespace: side.namespace, name, labels: side.labels, ports: side.ports });
        taken.add(id);
        own.add(id);
      }
      ids.set(side, id);
      return id;
    };
    // The model may still refuse to evaluate (a Calico policy in a tier whose Tier object the app
    // does not hold, e.g. CalicoGlobalDeny with createTier: false): then nothing is proven.
    try {
      this.prove(model, provable, endpoint, report);
    } catch (e) {
      notProven((e as Error).message);
      return new Map();
    }
    return errors;
  }

  private prove(model: NetworkModel, provable: { promiser: Promiser; promises: FlowPromise[] }[],
    endpoint: (side: RepresentativePod | string, index: number) => string, report: (promiser: Promiser, message: string) => void): void {
    provable.forEach(({ promiser, promises }, index) => {
      for (const promise of promises) {
        const verdict = model._explain({
          from: endpoint(promise.from, index),
          to: endpoint(promise.to, index),
          port: promise.port,
          protocol: promise.protocol,
          ...(promise.http ? { http: promise.http } : {}),
        });
        const sides = promise.ingressOnly ? verdict.sides.filter((s) => s.direction === 'ingress')
          : promise.egressOnly ? verdict.sides.filter((s) => s.direction === 'egress') : verdict.sides;
        const allowed = sides.every((s) => s.allowed);
        const accepted = promiser.accepted.get(promise.id);
        if (allowed === promise.allowed) {
          if (accepted !== undefined) {
            synthWarning(this.root, 'proofs', `${promiser.where}: the accepted conflict "${promise.id}" no longer happens; remove its PolicyProofs.accept`);
          }
          continue;
        }
        if (accepted !== undefined) {
          continue;
        }
        const undecided = sides.find((s) => s.undecided !== undefined)?.undecided;
        if (promise.allowed && undecided !== undefined) {
          // Denied only because the model cannot tell whether a deny applies: not proven either way.
          report(promiser, `${promiser.where} promises that ${promise.description} [${promise.id}], but this cannot be proven: ` +
            `${undecided}. Set the context key ${POD_CIDRS_CONTEXT_KEY} to the cluster's pod ranges, or accept it with ` +
            `PolicyProofs.accept(<the ${promiser.kind}>, '${promise.id}', '<why>')`);
          continue;
        }
        const named = (refs: readonly PolicyRef[]) => [...new Set(refs)].map((ref) => {
          const by = emitterOf(this.root, ref.apiVersion, ref.kind, ref.namespace, ref.name);
          return by ? `${ref.id} (from ${by})` : ref.id;
        });
        // A denial usually has no single culprit: the side is isolated by its policies and none of
        // them has a rule for the flow, so the fix is an allowance, not removing those policies.
        // A side refused by an explicit deny (Cilium ingressDeny/egressDeny, a Calico Deny) is
        // another matter: an allowance would not help there.
        const deniedByRule = (s: SideDecision) => s.cause === DecisionCause.DENY_RULE || s.cause === DecisionCause.FAIL_CLOSED;
        const refused = sides.filter((s) => !s.allowed);
        const deniers = named(refused.filter(deniedByRule).map((s) => s.deniedBy).filter((ref): ref is PolicyRef => ref !== undefined));
        const why = promise.allowed
          ? refused.some(deniedByRule)
            ? `a deny rule${deniers.length > 0 ? ` of ${deniers.join(' and ')}` : ''} refuses it: ${refused.map((s) => s.reason).join('; ')}. Narrow that deny`
            : `no policy allows it: ${refused.map((s) =>
              `the ${s.direction} of ${s.pod} is isolated by ${named(s.isolatedBy).join(', ')} and none of their rules admits it`).join('; ')}. ` +
              `Allow it (e.g. allowIngress/allowEgress of the ZeroTrustNamespace there, or a policy of your own)${promise.remedy ? `, ${promise.remedy}` : ''}`
          : (() => {
            const openers = named(sides.map((s) => s.allowedBy).filter((ref): ref is PolicyRef => ref !== undefined));
            if (openers.length === 0) {
              // Allowed with no policy to blame: nothing selects the ends (or their addresses), so nothing denies it.
              return 'no policy denies it (none that applies to these pods matches the flow); check the selectors and addresses of the policy ' +
                `meant to deny it${promise.remedy ? `, ${promise.remedy}` : ''}`;
            }
            return `${openers.join(' and ')} open${openers.length === 1 ? 's' : ''} it. Narrow ${openers.length === 1 ? 'that policy' : 'those policies'}` +
              `${promise.remedy ? `, ${promise.remedy}` : ''}`;
          })();
        report(promiser, `${promiser.where} promises that ${promise.description} [${promise.id}], but ${why}, ` +
          `or if this is intended, call PolicyProofs.accept(<the ${promiser.kind}>, '${promise.id}', '<why>'). ` +
          `The model's reasons: ${(promise.ingressOnly || promise.egressOnly ? sides.map((s) => s.reason) : verdict.reasons).join('; ')}`);
      }
    });
  }
}

const APPS = new WeakMap<IConstruct, AppProofs>();
const PROMISERS = new WeakMap<IConstruct, { promiser: Promiser; app: AppProofs }>();

/**
 * The synth-time proofs: every construct states the flows it promises, and when its chart is
 * validated (`cdk8s synth`, `app.synth()`, `Testing.synth()`) a NetworkModel of everything the
 * app emits checks each promise. A promise broken by another construct fails synthesis naming
 * both constructs and the policy that opened (or blocked) the path, unless it was accepted
 * with a reason. Renderings for every engine are proven (the model evaluates Kubernetes,
 * Cilium and Calico policies); an app that also holds objects the model does not evaluate
 * (admin network policies, network sets, ...) or both Cilium and Calico policies is reported
 * as not proven, with a warning.
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
    const entry = construct !== null && typeof construct === 'object' ? PROMISERS.get(construct) : undefined;
    if (!entry) {
      invalid(where, `${show(construct?.node?.path ?? construct)} is not a construct of cdk8s-netpol that makes promises`);
    }
    const ids = entry.promiser.promises().map((p) => p.id);
    if (!ids.includes(promise)) {
      invalid(where, `${entry.promiser.where} makes no promise ${show(promise)}; its promises are ${ids.join(', ')}`);
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      invalid(where, `reason ${show(reason)} must say why breaking ${show(promise)} is acceptable (at least 10 characters)`);
    }
    entry.app.accept(entry.promiser, promise, reason.trim());
  }

  /** The ids and descriptions of the promises a construct makes ("id: description"). */
  public static promisesOf(construct: IConstruct): string[] {
    return (PROMISERS.get(construct)?.promiser.promises() ?? []).map((p) => `${p.id}: ${p.description}`);
  }

  /**
   * Registers a construct's promises (internal: constructs call it).
   * @param promises produces the promises when they are proven (they are not kept)
   * @internal
   */
  public static _promise(construct: Construct, kind: string, where: string, promises: () => FlowPromise[]): void {
    const root = construct.node.root;
    let app = APPS.get(root);
    if (!app) {
      app = new AppProofs(root);
      APPS.set(root, app);
    }
    const chart = Chart.of(construct);
    registerCheck(chart, app);
    const promiser: Promiser = { construct, kind, chart, where, promises, accepted: new Map() };
    app.promise(promiser);
    PROMISERS.set(construct, { promiser, app });
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

