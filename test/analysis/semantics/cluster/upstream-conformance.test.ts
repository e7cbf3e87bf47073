import { ClusterCni } from '../../../../src/analysis/kinds';
import { NetworkModel } from '../../../../src/analysis/model';
import { expectValidManifests } from '../../../support/manifests';

/*
 * The conformance suite of kubernetes-sigs/network-policy-api (conformance/, release v0.2.0, tag
 * commit a17adecd0316b8ff1c3f83939ec0441d68cd6cce), ported to the NetworkModel and run under a
 * plain CNI (Kubernetes semantics) and under Calico 3.32+ (the kube-admin and kube-baseline tiers).
 *
 * The topology is conformance/base/manifests.yaml @ d48faeeb0e0235fce9233fac6fb737cf654e89ed: five
 * namespaces network-policy-conformance-<house> labelled conformance-house=<house>, each with a
 * two-replica StatefulSet (harry-potter, draco-malfoy, cedric-diggory, luna-lovegood; centaur in
 * forbidden-forrest on the host network), serving TCP 80 (declared, named web), TCP 8080, UDP 5353,
 * UDP 53 (declared, named dns), SCTP 9003 and 9005. The pods get addresses here (10.0.<house>.<n>;
 * centaur the node's 172.18.0.<n>) because networks peers match pod addresses.
 *
 * Each `describe` is an upstream test (its ShortName), each `test` an upstream subtest (its
 * t.Run title), in order; as upstream, the changes a subtest makes to the policies (rules swapped,
 * an action changed, a rule inserted, a NetworkPolicy deleted) stay for the subtests after it. The
 * policies are the upstream YAML files (conformance/base/admin_tier, baseline_tier,
 * api_integration) in the v0.2.0 shape (apiVersion v1alpha2, protocols); each is validated against
 * the v0.2.0 CRD and its CEL rules. Upstream expects a denied connection to time out (a drop): the
 * model's "denied". Files and the commits they were read at:
 *
 * - tests/admin-network-policy-standard-egress-tcp-rules.go @ 4d38b37f304ba60129e67fd975d6f5c0def5dbbb
 * - tests/admin-network-policy-standard-{egress-udp,egress-sctp}-rules.go @ ae899497990893df5e632fc41765f7b1877c42e9
 * - tests/admin-network-policy-standard-ingress-tcp-rules.go @ 2491831360ce313b15144e3326b3f4512cab7b9c
 * - tests/admin-network-policy-standard-ingress-udp-rules.go @ 2d21d068f5a9917a38b648044652769c56c270a9
 * - tests/admin-network-policy-standard-ingress-sctp-rules.go @ 4d4a53a6a9f146b0ca4bf6db4b78f1136939b22c
 * - tests/admin-network-policy-standard-{gress-rules,integration}.go @ 25f6bf05425885785cd3c633fd8bd27259a81cdb
 * - tests/admin-network-policy-standard-{egress-inline-cidr-rules,priority}.go @ 295a4ff8f5d9ad1efa82cc900c3f0241ed348ae4
 * - tests/baseline-admin-network-policy-standard-{egress,ingress}-tcp-rules.go @ 2491831360ce313b15144e3326b3f4512cab7b9c
 * - tests/baseline-admin-network-policy-standard-{egress-udp,ingress-sctp}-rules.go @ 2d21d068f5a9917a38b648044652769c56c270a9
 * - tests/baseline-admin-network-policy-standard-{egress-sctp,ingress-udp,gress}-rules.go @ 25f6bf05425885785cd3c633fd8bd27259a81cdb
 * - tests/baseline-admin-network-policy-standard-egress-inline-cidr-rules.go @ 47a85071023b4d6b96eae9dbe19e0934b3cfb626
 * - experimental: tests/{admin,baseline-admin}-network-policy-experimental-{egress,ingress}-rules.go
 *   (listed @ 734971cc743f9dcbbcaed7bea98363778fc2619e, 67ef18dece4f697936034620542b2f4dc5b6df15,
 *   cec862a4c2a85073881ca9763d89700124d1265c, 64a1a7e662ef1610939b5a43b88c1840ce7bda28)
 *
 * The subtests marked "(isolation, after v0.2.0)" and the last describe blocks come from tests added
 * after v0.2.0 (same-priority, port-range and pod-selector rules: standard-same-priority.go @
 * efe784ef4b71d0c3a9b2153da741e7af93db8be7, standard-port-range-rules.go @ b9f7a830, standard-pod-selector-rules.go @
 * 2643c7d16404fc0b5dfe96c8e8a6cc819b20fb35); they hold for v0.2.0's API as well.
 */

type Json = Record<string, any>;
type Protocol = 'TCP' | 'UDP' | 'SCTP';
type Direction = 'ingress' | 'egress';

const HOUSES = ['gryffindor', 'slytherin', 'hufflepuff', 'ravenclaw'] as const;
type House = typeof HOUSES[number];
const STUDENTS: Record<string, House> = { harry: 'gryffindor', draco: 'slytherin', cedric: 'hufflepuff', luna: 'ravenclaw' };
const STATEFULSETS: Record<House, string> = { gryffindor: 'harry-potter', slytherin: 'draco-malfoy', hufflepuff: 'cedric-diggory', ravenclaw: 'luna-lovegood' };
const namespaceOf = (house: string) => `network-policy-conformance-${house}`;

/** "harry-0" -> "network-policy-conformance-gryffindor/harry-potter-0"; "centaur-1" -> the forbidden forest's. */
function pod(short: string): string {
  const [student, replica] = short.split('-');
  if (student === 'centaur') {
    return `${namespaceOf('forbidden-forrest')}/centaur-${replica}`;
  }
  const house = STUDENTS[student];
  return `${namespaceOf(house)}/${STATEFULSETS[house]}-${replica}`;
}

function podIp(short: string): string {
  const [student, replica] = short.split('-');
  return student === 'centaur' ? `172.18.0.${Number(replica) + 2}` : `10.0.${HOUSES.indexOf(STUDENTS[student]) + 1}.${Number(replica) + 1}`;
}

/** The base topology: namespaces with their house label, two pods per house, the declared (named) container ports. */
function baseModel(cni: ClusterCni): NetworkModel {
  const model = new NetworkModel({ cni });
  for (const house of [...HOUSES, 'forbidden-forrest']) {
    model.addNamespace(namespaceOf(house), { 'conformance-house': house });
  }
  for (const student of [...Object.keys(STUDENTS), 'centaur']) {
    for (const replica of [0, 1]) {
      const short = `${student}-${replica}`;
      const [namespace, name] = pod(short).split('/');
      const house = student === 'centaur' ? 'forbidden-forrest' : STUDENTS[student];
      model.addPod({
        namespace,
        name,
        labels: { 'conformance-house': house, 'statefulset.kubernetes.io/pod-name': name },
        ip: podIp(short),
        hostNetwork: student === 'centaur',
        ports: student === 'centaur'
          ? [{ name: 'web-36363', port: 36363, protocol: 'TCP' }, { name: 'web-36364', port: 36364, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]
          : [{ name: 'web', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
      });
    }
  }
  return model;
}

// --- The policies' building blocks, as the upstream YAML spells them ---------------------------

/** namespaces: {matchLabels: {kubernetes.io/metadata.name: network-policy-conformance-<house>}} */
const ns = (house: House): Json => ({ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': namespaceOf(house) } } });
/** namespaces: {matchLabels: {conformance-house: <house>}} */
const houseNamespaces = (house: House): Json => ({ namespaces: { matchLabels: { 'conformance-house': house } } });
/** pods: {namespaceSelector: {conformance-house: <house>}, podSelector: {conformance-house: <house>}} */
const housePods = (house: House): Json => ({
  pods: { namespaceSelector: { matchLabels: { 'conformance-house': house } }, podSelector: { matchLabels: { 'conformance-house': house } } },
});
const tcp = (port: number): Json => ({ tcp: { destinationPort: { number: port } } });
const udp = (port: number): Json => ({ udp: { destinationPort: { number: port } } });
const sctp = (port: number): Json => ({ sctp: { destinationPort: { number: port } } });

function rule(direction: Direction, name: string, action: string, peers: Json[], protocols?: Json[]): Json {
  return { name, action, [direction === 'ingress' ? 'from' : 'to']: peers, ...(protocols ? { protocols } : {}) };
}

function cnp(name: string, tier: 'Admin' | 'Baseline', priority: number, subject: Json, rules: { ingress?: Json[]; egress?: Json[] }): Json {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier, priority, subject, ...rules } };
}

interface RuleSet {
  readonly direction: Direction;
  /** The house of the "everything" rules. */
  readonly everything: House;
  /** The house and protocols of the "deny at port" rule (and, in the Admin tier, its Pass twin). */
  readonly denyAt: readonly [House, Json[], string];
  /** The house and protocols of the "allow at port" rule, then "deny everything else" to that house. */
  readonly allowAt: readonly [House, Json[], string];
}

/**
 * The seven rules of the Admin tier's rule files: Accept, Deny and Pass everything to/from one
 * house; Deny and Pass one port of a second; Accept one port of a third, then Deny the rest of it.
 */
function adminRules({ direction, everything, denyAt, allowAt }: RuleSet): Json[] {
  const toFrom = direction === 'ingress' ? 'from' : 'to';
  return [
    rule(direction, `allow-${toFrom}-${everything}-everything`, 'Accept', [ns(everything)]),
    rule(direction, `deny-${toFrom}-${everything}-everything`, 'Deny', [ns(everything)]),
    rule(direction, `pass-${toFrom}-${everything}-everything`, 'Pass', [ns(everything)]),
    rule(direction, `deny-${toFrom}-${denyAt[0]}-at-${denyAt[2]}`, 'Deny', [ns(denyAt[0])], denyAt[1]),
    rule(direction, `pass-${toFrom}-${denyAt[0]}-at-${denyAt[2]}`, 'Pass', [ns(denyAt[0])], denyAt[1]),
    rule(direction, `allow-${toFrom}-${allowAt[0]}-at-${allowAt[2]}`, 'Accept', [ns(allowAt[0])], allowAt[1]),
    rule(direction, `deny-${toFrom}-${allowAt[0]}-everything-else`, 'Deny', [ns(allowAt[0])]),
  ];
}

/** The five rules of the Baseline tier's rule files (no Pass). */
function baselineRules({ direction, everything, denyAt, allowAt }: RuleSet): Json[] {
  const toFrom = direction === 'ingress' ? 'from' : 'to';
  return [
    rule(direction, `allow-${toFrom}-${everything}-everything`, 'Accept', [ns(everything)]),
    rule(direction, `deny-${toFrom}-${everything}-everything`, 'Deny', [ns(everything)]),
    rule(direction, `deny-${toFrom}-${denyAt[0]}-at-${denyAt[2]}`, 'Deny', [ns(denyAt[0])], denyAt[1]),
    rule(direction, `allow-${toFrom}-${allowAt[0]}-at-${allowAt[2]}`, 'Accept', [ns(allowAt[0])], allowAt[1]),
    rule(direction, `deny-${toFrom}-${allowAt[0]}-everything-else`, 'Deny', [ns(allowAt[0])]),
  ];
}

// --- Running a test ------------------------------------------------------------------------------

/** `from to protocol/port: allowed?`, e.g. ['harry-0', 'luna-0', 'TCP', 80, true]. */
type Probe = readonly [string, string, Protocol, number, boolean];

interface Step {
  readonly title: string;
  /** What the subtest changes before probing; the change stays for the later subtests. */
  readonly change?: (objects: Json[]) => void;
  readonly probes: readonly Probe[];
}

/** Swaps two rules of a policy (upstream: `cnp.Spec.Egress[0], cnp.Spec.Egress[1] = ...`). */
function swap(objects: Json[], name: string, direction: Direction, i: number, j: number): void {
  const rules = policy(objects, name).spec[direction];
  [rules[i], rules[j]] = [rules[j], rules[i]];
}

function policy(objects: Json[], name: string): Json {
  const found = objects.find((o) => o.metadata.name === name);
  if (!found) {
    throw new Error(`no object ${name}`);
  }
  return found;
}

const CNIS = [ClusterCni.KUBERNETES, ClusterCni.CALICO];

/**
 * One upstream test: its objects, then its subtests in order, each under every CNI. The objects
 * are validated (CRD schema and CEL rules) at each step; every probe must get the upstream verdict.
 */
function conformance(shortName: string, objects: () => Json[], steps: readonly Step[]): void {
  describe(shortName, () => {
    steps.forEach((step, i) => {
      test(step.title, () => {
        // Subtests share state, as upstream's do: the changes of this one and the earlier ones,
        // replayed on a fresh copy (so that a filtered run sees the same objects).
        const current = replay(objects, steps.slice(0, i + 1));
        expectValidManifests(current);
        for (const cni of CNIS) {
          const model = baseModel(cni);
          current.forEach((obj) => model.addManifest(obj));
          const wrong = step.probes.flatMap(([from, to, protocol, port, allowed]) => {
            const verdict = model.evaluate({ from: pod(from), to: pod(to), port, protocol });
            return verdict.allowed === allowed ? [] : [`${cni}: ${from} -> ${to} ${protocol}/${port}: expected ${allowed ? 'allowed' : 'denied'}, got ` +
              `${verdict.allowed ? 'allowed' : 'denied'}: ${verdict.reasons.join(' | ')}`];
          });
          expect(wrong).toEqual([]);
        }
      });
    });
    test('probes allowed and denied flows', () => {
      expect(new Set(steps.flatMap((s) => s.probes.map((p) => p[4])))).toEqual(new Set([true, false]));
    });
  });
}

/** The objects after the changes of `steps`, on a fresh copy. */
function replay(objects: () => Json[], steps: readonly Step[]): Json[] {
  const copy = objects();
  steps.forEach((s) => s.change?.(copy));
  return copy;
}

// --- Admin tier (standard) ------------------------------------------------------------------------

describe('network-policy-api conformance v0.2.0: Admin tier', () => {
  conformance('CNPAdminTierEgressTCP', () => [cnp('egress-tcp', 'Admin', 6, ns('gryffindor'), {
    egress: adminRules({ direction: 'egress', everything: 'ravenclaw', denyAt: ['slytherin', [tcp(80)], 'port-80'], allowAt: ['hufflepuff', [tcp(8080)], 'port-8080'] }),
  })], [
    { title: 'Should support an \'allow-egress\' policy for TCP protocol; ensure rule ordering is respected', probes: [['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'luna-0', 'TCP', 8080, true]] },
    { title: 'Should support an \'allow-egress\' policy for TCP protocol at the specified port', probes: [['harry-0', 'cedric-1', 'TCP', 8080, true], ['harry-1', 'cedric-1', 'TCP', 80, false]] },
    {
      title: 'Should support an \'deny-egress\' policy for TCP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'egress-tcp', 'egress', 0, 1),
      probes: [['harry-0', 'luna-1', 'TCP', 80, false], ['harry-1', 'luna-1', 'TCP', 8080, false]],
    },
    { title: 'Should support a \'deny-egress\' policy for TCP protocol at the specified port', probes: [['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, true]] },
    {
      title: 'Should support an \'pass-egress\' policy for TCP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'egress-tcp', 'egress', 0, 2),
      probes: [['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'luna-0', 'TCP', 8080, true]],
    },
    {
      title: 'Should support a \'pass-egress\' policy for TCP protocol at the specified port',
      change: (o) => swap(o, 'egress-tcp', 'egress', 3, 4),
      probes: [['harry-0', 'draco-0', 'TCP', 80, true], ['harry-1', 'draco-0', 'TCP', 8080, true]],
    },
  ]);

  conformance('CNPAdminTierEgressUDP', () => [cnp('egress-udp', 'Admin', 7, ns('hufflepuff'), {
    egress: adminRules({ direction: 'egress', everything: 'ravenclaw', denyAt: ['slytherin', [udp(5353)], 'port-5353'], allowAt: ['gryffindor', [udp(53)], 'port-53'] }),
  })], [
    { title: 'Should support an \'allow-egress\' policy for UDP protocol; ensure rule ordering is respected', probes: [['cedric-0', 'luna-0', 'UDP', 53, true], ['cedric-1', 'luna-0', 'UDP', 5353, true]] },
    { title: 'Should support an \'allow-egress\' policy for UDP protocol at the specified port', probes: [['cedric-0', 'harry-1', 'UDP', 53, true], ['cedric-1', 'harry-1', 'UDP', 5353, false]] },
    {
      title: 'Should support an \'deny-egress\' policy for UDP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'egress-udp', 'egress', 0, 1),
      probes: [['cedric-0', 'luna-1', 'UDP', 53, false], ['cedric-1', 'luna-1', 'UDP', 5353, false]],
    },
    { title: 'Should support a \'deny-egress\' policy for UDP protocol at the specified port', probes: [['cedric-0', 'draco-0', 'UDP', 5353, false], ['cedric-1', 'draco-0', 'UDP', 53, true]] },
    {
      title: 'Should support an \'pass-egress\' policy for UDP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'egress-udp', 'egress', 0, 2),
      probes: [['cedric-0', 'luna-1', 'UDP', 5353, true], ['cedric-1', 'luna-1', 'UDP', 53, true]],
    },
    {
      title: 'Should support a \'pass-egress\' policy for UDP protocol at the specified port',
      change: (o) => swap(o, 'egress-udp', 'egress', 3, 4),
      probes: [['cedric-0', 'draco-0', 'UDP', 5353, true], ['cedric-1', 'draco-0', 'UDP', 53, true]],
    },
  ]);

  conformance('CNPAdminTierEgressSCTP', () => [cnp('egress-sctp', 'Admin', 8, ns('ravenclaw'), {
    egress: adminRules({ direction: 'egress', everything: 'gryffindor', denyAt: ['slytherin', [sctp(9003)], 'port-9003'], allowAt: ['hufflepuff', [sctp(9003)], 'port-9003'] }),
  })], [
    { title: 'Should support an \'allow-egress\' policy for SCTP protocol; ensure rule ordering is respected', probes: [['luna-0', 'harry-0', 'SCTP', 9003, true], ['luna-1', 'harry-0', 'SCTP', 9005, true]] },
    { title: 'Should support an \'allow-egress\' policy for SCTP protocol at the specified port', probes: [['luna-0', 'cedric-1', 'SCTP', 9003, true], ['luna-1', 'cedric-1', 'SCTP', 9005, false]] },
    {
      title: 'Should support an \'deny-egress\' policy for SCTP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'egress-sctp', 'egress', 0, 1),
      probes: [['luna-0', 'harry-1', 'SCTP', 9003, false], ['luna-1', 'harry-1', 'SCTP', 9005, false]],
    },
    { title: 'Should support a \'deny-egress\' policy for SCTP protocol at the specified port', probes: [['luna-0', 'draco-0', 'SCTP', 9003, false], ['luna-1', 'draco-0', 'SCTP', 9005, true]] },
    {
      title: 'Should support an \'pass-egress\' policy for SCTP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'egress-sctp', 'egress', 0, 2),
      probes: [['luna-0', 'harry-1', 'SCTP', 9003, true], ['luna-1', 'harry-1', 'SCTP', 9005, true]],
    },
    {
      title: 'Should support a \'pass-egress\' policy for SCTP protocol at the specified port',
      change: (o) => swap(o, 'egress-sctp', 'egress', 3, 4),
      probes: [['luna-0', 'draco-0', 'SCTP', 9003, true], ['luna-1', 'draco-0', 'SCTP', 9005, true]],
    },
  ]);

  conformance('CNPAdminTierIngressTCP', () => [cnp('ingress-tcp', 'Admin', 3, ns('gryffindor'), {
    ingress: adminRules({ direction: 'ingress', everything: 'ravenclaw', denyAt: ['slytherin', [tcp(80)], 'port-80'], allowAt: ['hufflepuff', [tcp(80)], 'port-80'] }),
  })], [
    { title: 'Should support an \'allow-ingress\' policy for TCP protocol; ensure rule ordering is respected', probes: [['luna-0', 'harry-0', 'TCP', 80, true], ['luna-1', 'harry-0', 'TCP', 8080, true]] },
    { title: 'Should support an \'allow-ingress\' policy for TCP protocol at the specified port', probes: [['cedric-0', 'harry-1', 'TCP', 80, true], ['cedric-1', 'harry-1', 'TCP', 8080, false]] },
    { title: 'Should not affect egress traffic when only ingress rules are specified (isolation, after v0.2.0)', probes: [['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'draco-0', 'TCP', 80, true]] },
    {
      title: 'Should support an \'deny-ingress\' policy for TCP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'ingress-tcp', 'ingress', 0, 1),
      probes: [['luna-0', 'harry-1', 'TCP', 80, false], ['luna-1', 'harry-1', 'TCP', 8080, false]],
    },
    { title: 'Should support a \'deny-ingress\' policy for TCP protocol at the specified port', probes: [['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, true]] },
    {
      title: 'Should support an \'pass-ingress\' policy for TCP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'ingress-tcp', 'ingress', 0, 2),
      probes: [['luna-0', 'harry-0', 'TCP', 80, true], ['luna-1', 'harry-0', 'TCP', 8080, true]],
    },
    {
      title: 'Should support a \'pass-ingress\' policy for TCP protocol at the specified port',
      change: (o) => swap(o, 'ingress-tcp', 'ingress', 3, 4),
      probes: [['draco-0', 'harry-0', 'TCP', 80, true], ['draco-1', 'harry-0', 'TCP', 8080, true]],
    },
  ]);

  conformance('CNPAdminTierIngressUDP', () => [cnp('ingress-udp', 'Admin', 4, ns('hufflepuff'), {
    ingress: adminRules({ direction: 'ingress', everything: 'ravenclaw', denyAt: ['slytherin', [udp(5353)], 'port-5353'], allowAt: ['gryffindor', [udp(53)], 'port-53'] }),
  })], [
    { title: 'Should support an \'allow-ingress\' policy for UDP protocol; ensure rule ordering is respected', probes: [['luna-0', 'cedric-0', 'UDP', 53, true], ['luna-1', 'cedric-0', 'UDP', 5353, true]] },
    { title: 'Should support an \'allow-ingress\' policy for UDP protocol at the specified port', probes: [['harry-0', 'cedric-1', 'UDP', 53, true], ['harry-1', 'cedric-1', 'UDP', 5353, false]] },
    {
      title: 'Should support an \'deny-ingress\' policy for UDP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'ingress-udp', 'ingress', 0, 1),
      probes: [['luna-0', 'cedric-1', 'UDP', 53, false], ['luna-1', 'cedric-1', 'UDP', 5353, false]],
    },
    { title: 'Should support a \'deny-ingress\' policy for UDP protocol at the specified port', probes: [['draco-0', 'cedric-0', 'UDP', 5353, false], ['draco-1', 'cedric-0', 'UDP', 53, true]] },
    {
      title: 'Should support an \'pass-ingress\' policy for UDP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'ingress-udp', 'ingress', 0, 2),
      probes: [['luna-0', 'cedric-1', 'UDP', 5353, true], ['luna-1', 'cedric-1', 'UDP', 53, true]],
    },
    {
      title: 'Should support a \'pass-ingress\' policy for UDP protocol at the specified port',
      change: (o) => swap(o, 'ingress-udp', 'ingress', 3, 4),
      probes: [['draco-0', 'cedric-0', 'UDP', 5353, true], ['draco-1', 'cedric-0', 'UDP', 53, true]],
    },
  ]);

  conformance('CNPAdminTierIngressSCTP', () => [cnp('ingress-sctp', 'Admin', 5, ns('ravenclaw'), {
    ingress: adminRules({ direction: 'ingress', everything: 'gryffindor', denyAt: ['slytherin', [sctp(9003)], 'port-9003'], allowAt: ['hufflepuff', [sctp(9003)], 'port-9003'] }),
  })], [
    { title: 'Should support an \'allow-ingress\' policy for SCTP protocol; ensure rule ordering is respected', probes: [['harry-0', 'luna-0', 'SCTP', 9003, true], ['harry-1', 'luna-0', 'SCTP', 9005, true]] },
    { title: 'Should support an \'allow-ingress\' policy for SCTP protocol at the specified port', probes: [['cedric-0', 'luna-1', 'SCTP', 9003, true], ['cedric-1', 'luna-1', 'SCTP', 9005, false]] },
    {
      title: 'Should support an \'deny-ingress\' policy for SCTP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'ingress-sctp', 'ingress', 0, 1),
      probes: [['harry-0', 'luna-1', 'SCTP', 9003, false], ['harry-1', 'luna-1', 'SCTP', 9005, false]],
    },
    { title: 'Should support a \'deny-ingress\' policy for SCTP protocol at the specified port', probes: [['draco-0', 'luna-0', 'SCTP', 9003, false], ['draco-1', 'luna-0', 'SCTP', 9005, true]] },
    {
      title: 'Should support an \'pass-ingress\' policy for SCTP protocol; ensure rule ordering is respected',
      change: (o) => swap(o, 'ingress-sctp', 'ingress', 0, 2),
      probes: [['harry-0', 'luna-1', 'SCTP', 9003, true], ['harry-1', 'luna-1', 'SCTP', 9005, true]],
    },
    {
      title: 'Should support a \'pass-ingress\' policy for SCTP protocol at the specified port',
      change: (o) => swap(o, 'ingress-sctp', 'ingress', 3, 4),
      probes: [['draco-0', 'luna-0', 'SCTP', 9003, true], ['draco-1', 'luna-0', 'SCTP', 9005, true]],
    },
  ]);

  const gress = (): Json[] => [cnp('gress-rules', 'Admin', 15, ns('gryffindor'), {
    egress: adminRules({
      direction: 'egress',
      everything: 'ravenclaw',
      denyAt: ['slytherin', [tcp(80), udp(53), sctp(9003)], 'ports-80-53-9003'],
      allowAt: ['hufflepuff', [tcp(8080), udp(5353), sctp(9003)], 'ports-8080-5353-9003'],
    }),
    ingress: adminRules({
      direction: 'ingress',
      everything: 'ravenclaw',
      denyAt: ['slytherin', [tcp(80), udp(53), sctp(9003)], 'ports-80-53-9003'],
      allowAt: ['hufflepuff', [tcp(80), udp(5353), sctp(9003)], 'port-80-5353-9003'],
    }),
  })];
  const swapBoth = (i: number, j: number) => (o: Json[]) => {
    swap(o, 'gress-rules', 'egress', i, j);
    swap(o, 'gress-rules', 'ingress', i, j);
  };
  conformance('CNPAdminTierGress', gress, [
    {
      title: 'Should support an \'allow-gress\' policy across different protocols',
      probes: [
        ['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'luna-0', 'UDP', 53, true], ['harry-0', 'luna-0', 'SCTP', 9003, true],
        ['luna-0', 'harry-0', 'TCP', 80, true], ['luna-1', 'harry-0', 'UDP', 53, true], ['luna-1', 'harry-0', 'SCTP', 9003, true],
      ],
    },
    {
      title: 'Should support an \'allow-gress\' policy across different protocols at the specified ports',
      probes: [
        ['harry-0', 'cedric-1', 'TCP', 8080, true], ['harry-1', 'cedric-1', 'TCP', 80, false], ['harry-0', 'cedric-1', 'UDP', 5353, true],
        ['harry-1', 'cedric-1', 'UDP', 53, false], ['harry-0', 'cedric-1', 'SCTP', 9003, true], ['harry-1', 'cedric-1', 'SCTP', 9005, false],
        ['cedric-0', 'harry-1', 'TCP', 80, true], ['cedric-1', 'harry-1', 'TCP', 8080, false], ['cedric-0', 'harry-1', 'UDP', 5353, true],
        ['cedric-1', 'harry-1', 'UDP', 53, false], ['cedric-0', 'harry-1', 'SCTP', 9003, true], ['cedric-1', 'harry-1', 'SCTP', 9005, false],
      ],
    },
    {
      title: 'Should support an \'deny-gress\' policy across different protocols',
      change: swapBoth(0, 1),
      probes: [
        ['harry-0', 'luna-1', 'TCP', 80, false], ['harry-1', 'luna-1', 'UDP', 53, false], ['harry-0', 'luna-1', 'SCTP', 9003, false],
        ['luna-0', 'harry-1', 'TCP', 80, false], ['luna-1', 'harry-1', 'UDP', 53, false], ['luna-1', 'harry-1', 'SCTP', 9003, false],
      ],
    },
    {
      title: 'Should support an \'deny-gress\' policy across different protocols at the specified ports',
      probes: [
        ['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, true], ['harry-0', 'draco-0', 'UDP', 53, false],
        ['harry-1', 'draco-0', 'UDP', 5353, true], ['harry-0', 'draco-0', 'SCTP', 9003, false], ['harry-1', 'draco-0', 'SCTP', 9005, true],
        ['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, true], ['draco-0', 'harry-0', 'UDP', 53, false],
        ['draco-1', 'harry-0', 'UDP', 5353, true], ['draco-0', 'harry-0', 'SCTP', 9003, false], ['draco-1', 'harry-0', 'SCTP', 9005, true],
      ],
    },
    {
      title: 'Should support an \'pass-gress\' policy across different protocols',
      change: swapBoth(0, 2),
      probes: [
        ['harry-0', 'luna-0', 'TCP', 80, true], ['harry-0', 'luna-0', 'UDP', 5353, true], ['harry-0', 'luna-0', 'SCTP', 9003, true],
        ['luna-0', 'harry-0', 'TCP', 80, true], ['luna-1', 'harry-0', 'UDP', 53, true], ['luna-1', 'harry-0', 'SCTP', 9003, true],
      ],
    },
    {
      title: 'Should support an \'pass-gress\' policy across different protocols at the specified ports',
      change: swapBoth(3, 4),
      probes: [
        ['harry-0', 'draco-0', 'TCP', 80, true], ['harry-0', 'draco-0', 'UDP', 53, true], ['harry-0', 'draco-0', 'SCTP', 9003, true],
        ['harry-1', 'draco-0', 'TCP', 8080, true], ['harry-1', 'draco-0', 'UDP', 5353, true], ['harry-1', 'draco-0', 'SCTP', 9005, true],
        ['draco-0', 'harry-0', 'TCP', 80, true], ['draco-0', 'harry-0', 'UDP', 53, true], ['draco-0', 'harry-0', 'SCTP', 9003, true],
        ['draco-1', 'harry-0', 'TCP', 8080, true], ['draco-1', 'harry-0', 'UDP', 5353, true], ['draco-1', 'harry-0', 'SCTP', 9005, true],
      ],
    },
  ]);

  const everyProtocol = (from: string, to: string, allowed: boolean): Probe[] =>
    [['TCP', 80], ['UDP', 53], ['SCTP', 9003]].map(([protocol, port]) => [from, to, protocol as Protocol, port as number, allowed] as const);
  const inlineCidr = (name: string, tier: 'Admin' | 'Baseline', priority: number, subject: Json) => () => [cnp(name, tier, priority, subject, {
    egress: [
      rule('egress', 'allow-egress-to-slytherin', 'Accept', [housePods('slytherin')]),
      rule('egress', 'deny-egress-to-internet', 'Deny', [{ networks: ['0.0.0.0/0', '::/0'] }]),
    ],
  })];
  const inlineCidrSteps = (name: string): Step[] => [
    {
      title: 'Should support a \'deny-egress\' rule policy for egress-cidr-peer',
      probes: [...everyProtocol('harry-1', 'luna-0', false), ...everyProtocol('harry-1', 'cedric-0', false), ...everyProtocol('harry-1', 'draco-0', true)],
    },
    {
      title: 'Should support an \'allow-egress\' rule policy for egress-cidr-peer',
      change: (o) => policy(o, name).spec.egress.unshift(rule('egress', 'allow-egress-to-specific-podIPs', 'Accept',
        [{ networks: [`${podIp('luna-0')}/32`, `${podIp('cedric-0')}/32`] }])),
      probes: [...everyProtocol('harry-1', 'luna-0', true), ...everyProtocol('harry-1', 'cedric-0', true),
        ...everyProtocol('harry-1', 'luna-1', false), ...everyProtocol('harry-1', 'cedric-1', false)],
    },
  ];
  conformance('CNPAdminTierEgressInlineCIDRPeers', inlineCidr('inline-cidr-as-peers-example', 'Admin', 85, housePods('gryffindor')),
    inlineCidrSteps('inline-cidr-as-peers-example'));

  conformance('CNPAdminTierIntegration', () => [
    cnp('pass-example', 'Admin', 10, houseNamespaces('gryffindor'), {
      ingress: [rule('ingress', 'deny-all-ingress-from-slytherin', 'Deny', [houseNamespaces('slytherin')])],
      egress: [rule('egress', 'deny-all-egress-to-slytherin', 'Deny', [houseNamespaces('slytherin')])],
    }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-gress-from-to-slytherin-to-gryffindor', namespace: namespaceOf('gryffindor') },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'slytherin' } } }] }],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'slytherin' } } }] }],
      },
    },
    cnp('default', 'Baseline', 10, houseNamespaces('gryffindor'), {
      ingress: [rule('ingress', 'deny-all-ingress-from-slytherin', 'Deny', [houseNamespaces('slytherin')])],
      egress: [rule('egress', 'deny-all-egress-to-slytherin', 'Deny', [houseNamespaces('slytherin')])],
    }),
  ], [
    { title: 'Should Deny traffic from slytherin to gryffindor respecting admin CNP', probes: [['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, false]] },
    { title: 'Should Deny traffic to slytherin from gryffindor respecting admin CNP', probes: [['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, false]] },
    {
      title: 'Should support a \'pass-ingress\' policy for admin CNP and respect the match for network policy',
      change: (o) => { policy(o, 'pass-example').spec.ingress[0].action = 'Pass'; },
      probes: [['draco-0', 'harry-0', 'TCP', 80, true], ['draco-1', 'harry-0', 'TCP', 8080, true]],
    },
    {
      title: 'Should support a \'pass-egress\' policy for admin CNP and respect the match for network policy',
      change: (o) => { policy(o, 'pass-example').spec.egress[0].action = 'Pass'; },
      probes: [['harry-0', 'draco-0', 'TCP', 80, true], ['harry-1', 'draco-0', 'TCP', 8080, true]],
    },
    {
      title: 'Should support a \'pass-ingress\' policy for admin CNP and respect the match for baseline cluster network policy',
      change: (o) => { o.splice(o.findIndex((x) => x.kind === 'NetworkPolicy'), 1); },
      probes: [['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, false]],
    },
    {
      title: 'Should support a \'pass-egress\' policy for admin CNP and respect the match for baseline cluster network policy',
      probes: [['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, false]],
    },
  ]);

  conformance('CNPAdminTierPriorityField', () => [
    cnp('priority-50-example', 'Admin', 50, housePods('gryffindor'), {
      ingress: [rule('ingress', 'deny-all-ingress-from-slytherin', 'Deny', [housePods('slytherin')])],
      egress: [rule('egress', 'deny-all-egress-to-slytherin', 'Deny', [housePods('slytherin')])],
    }),
    cnp('old-priority-60-new-priority-40-example', 'Admin', 60, housePods('gryffindor'), {
      ingress: [rule('ingress', 'pass-all-ingress-from-slytherin', 'Pass', [housePods('slytherin')])],
      egress: [rule('egress', 'pass-all-egress-to-slytherin', 'Pass', [housePods('slytherin')])],
    }),
    cnp('default', 'Baseline', 10, housePods('gryffindor'), {
      ingress: [rule('ingress', 'allow-all-ingress-from-slytherin', 'Accept', [housePods('slytherin')])],
      egress: [rule('egress', 'allow-all-egress-to-slytherin', 'Accept', [housePods('slytherin')])],
    }),
  ], [
    { title: 'Should Deny traffic from slytherin to gryffindor respecting admin CNP', probes: [['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, false]] },
    { title: 'Should Deny traffic to slytherin from gryffindor respecting admin CNP', probes: [['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, false]] },
    {
      title: 'Should respect admin CNP priority field; thus passing both ingress and egress traffic over to baseline CNP',
      change: (o) => { policy(o, 'old-priority-60-new-priority-40-example').spec.priority = 40; },
      probes: [['draco-0', 'harry-0', 'TCP', 80, true], ['draco-1', 'harry-0', 'TCP', 8080, true], ['harry-0', 'draco-0', 'TCP', 80, true], ['harry-1', 'draco-0', 'TCP', 8080, true]],
    },
  ]);
});

// --- Baseline tier (standard): no NetworkPolicy, so the Baseline rules decide ---------------------

describe('network-policy-api conformance v0.2.0: Baseline tier', () => {
  const fourSteps = (kind: string, direction: Direction, probes: Probe[][], swapRules: (o: Json[]) => void, isolation?: Probe[]): Step[] => [
    { title: `Should support an 'allow-${direction}' policy for ${kind} protocol; ensure rule ordering is respected`, probes: probes[0] },
    { title: `Should support an 'allow-${direction}' policy for ${kind} protocol at the specified port`, probes: probes[1] },
    ...(isolation ? [{ title: `Should not affect ${direction === 'egress' ? 'ingress' : 'egress'} traffic when only ${direction} rules are specified (isolation, after v0.2.0)`, probes: isolation }] : []),
    { title: `Should support an 'deny-${direction}' policy for ${kind} protocol; ensure rule ordering is respected`, change: swapRules, probes: probes[2] },
    { title: `Should support a 'deny-${direction}' policy for ${kind} protocol at the specified port`, probes: probes[3] },
  ];

  conformance('CNPBaselineTierEgressTCP', () => [cnp('default', 'Baseline', 10, ns('gryffindor'), {
    egress: baselineRules({ direction: 'egress', everything: 'ravenclaw', denyAt: ['slytherin', [tcp(80)], 'port-80'], allowAt: ['hufflepuff', [tcp(8080)], 'port-8080'] }),
  })], fourSteps('TCP', 'egress', [
    [['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'luna-0', 'TCP', 8080, true]],
    [['harry-0', 'cedric-1', 'TCP', 8080, true], ['harry-1', 'cedric-1', 'TCP', 80, false]],
    [['harry-0', 'luna-1', 'TCP', 80, false], ['harry-1', 'luna-1', 'TCP', 8080, false]],
    [['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, true]],
  ], (o) => swap(o, 'default', 'egress', 0, 1), [['luna-0', 'harry-0', 'TCP', 80, true], ['draco-0', 'harry-1', 'TCP', 80, true]]));

  conformance('CNPBaselineTierEgressUDP', () => [cnp('default', 'Baseline', 10, ns('hufflepuff'), {
    egress: baselineRules({ direction: 'egress', everything: 'ravenclaw', denyAt: ['slytherin', [udp(5353)], 'port-5353'], allowAt: ['gryffindor', [udp(53)], 'port-53'] }),
  })], fourSteps('UDP', 'egress', [
    [['cedric-0', 'luna-0', 'UDP', 53, true], ['cedric-1', 'luna-0', 'UDP', 5353, true]],
    [['cedric-0', 'harry-1', 'UDP', 53, true], ['cedric-1', 'harry-1', 'UDP', 5353, false]],
    [['cedric-0', 'luna-1', 'UDP', 53, false], ['cedric-1', 'luna-1', 'UDP', 5353, false]],
    [['cedric-0', 'draco-0', 'UDP', 5353, false], ['cedric-1', 'draco-0', 'UDP', 53, true]],
  ], (o) => swap(o, 'default', 'egress', 0, 1)));

  conformance('CNPBaselineTierEgressSCTP', () => [cnp('default', 'Baseline', 10, ns('ravenclaw'), {
    egress: baselineRules({ direction: 'egress', everything: 'gryffindor', denyAt: ['slytherin', [sctp(9003)], 'port-9003'], allowAt: ['hufflepuff', [sctp(9003)], 'port-9003'] }),
  })], fourSteps('SCTP', 'egress', [
    [['luna-0', 'harry-0', 'SCTP', 9003, true], ['luna-1', 'harry-0', 'SCTP', 9005, true]],
    [['luna-0', 'cedric-1', 'SCTP', 9003, true], ['luna-1', 'cedric-1', 'SCTP', 9005, false]],
    [['luna-0', 'harry-1', 'SCTP', 9003, false], ['luna-1', 'harry-1', 'SCTP', 9005, false]],
    [['luna-0', 'draco-0', 'SCTP', 9003, false], ['luna-1', 'draco-0', 'SCTP', 9005, true]],
  ], (o) => swap(o, 'default', 'egress', 0, 1)));

  conformance('CNPBaselineTierIngressTCP', () => [cnp('default', 'Baseline', 10, ns('gryffindor'), {
    ingress: baselineRules({ direction: 'ingress', everything: 'ravenclaw', denyAt: ['slytherin', [tcp(80)], 'port-80'], allowAt: ['hufflepuff', [tcp(80)], 'port-80'] }),
  })], fourSteps('TCP', 'ingress', [
    [['luna-0', 'harry-0', 'TCP', 80, true], ['luna-1', 'harry-0', 'TCP', 8080, true]],
    [['cedric-0', 'harry-1', 'TCP', 80, true], ['cedric-1', 'harry-1', 'TCP', 8080, false]],
    [['luna-0', 'harry-1', 'TCP', 80, false], ['luna-1', 'harry-1', 'TCP', 8080, false]],
    [['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, true]],
  ], (o) => swap(o, 'default', 'ingress', 0, 1), [['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'draco-0', 'TCP', 80, true]]));

  conformance('CNPBaselineTierIngressUDP', () => [cnp('default', 'Baseline', 10, ns('hufflepuff'), {
    ingress: baselineRules({ direction: 'ingress', everything: 'ravenclaw', denyAt: ['slytherin', [udp(5353)], 'port-5353'], allowAt: ['gryffindor', [udp(53)], 'port-53'] }),
  })], fourSteps('UDP', 'ingress', [
    [['luna-0', 'cedric-0', 'UDP', 53, true], ['luna-1', 'cedric-0', 'UDP', 5353, true]],
    [['harry-0', 'cedric-1', 'UDP', 53, true], ['harry-1', 'cedric-1', 'UDP', 5353, false]],
    [['luna-0', 'cedric-1', 'UDP', 53, false], ['luna-1', 'cedric-1', 'UDP', 5353, false]],
    [['draco-0', 'cedric-0', 'UDP', 5353, false], ['draco-1', 'cedric-0', 'UDP', 53, true]],
  ], (o) => swap(o, 'default', 'ingress', 0, 1)));

  conformance('CNPBaselineTierIngressSCTP', () => [cnp('default', 'Baseline', 10, ns('ravenclaw'), {
    ingress: baselineRules({ direction: 'ingress', everything: 'gryffindor', denyAt: ['slytherin', [sctp(9003)], 'port-9003'], allowAt: ['hufflepuff', [sctp(9003)], 'port-9003'] }),
  })], fourSteps('SCTP', 'ingress', [
    [['harry-0', 'luna-0', 'SCTP', 9003, true], ['harry-1', 'luna-0', 'SCTP', 9005, true]],
    [['cedric-0', 'luna-1', 'SCTP', 9003, true], ['cedric-1', 'luna-1', 'SCTP', 9005, false]],
    [['harry-0', 'luna-1', 'SCTP', 9003, false], ['harry-1', 'luna-1', 'SCTP', 9005, false]],
    [['draco-0', 'luna-0', 'SCTP', 9003, false], ['draco-1', 'luna-0', 'SCTP', 9005, true]],
  ], (o) => swap(o, 'default', 'ingress', 0, 1)));

  conformance('CNPBaselineTierGress', () => [cnp('default', 'Baseline', 10, ns('gryffindor'), {
    egress: baselineRules({
      direction: 'egress',
      everything: 'ravenclaw',
      denyAt: ['slytherin', [tcp(80), udp(53), sctp(9003)], 'ports-80-53-9003'],
      allowAt: ['hufflepuff', [tcp(8080), udp(5353), sctp(9003)], 'ports-8080-5353'],
    }),
    ingress: baselineRules({
      direction: 'ingress',
      everything: 'ravenclaw',
      denyAt: ['slytherin', [tcp(80), udp(53), sctp(9003)], 'ports-80-53-9003'],
      allowAt: ['hufflepuff', [tcp(80), udp(5353), sctp(9003)], 'port-80-5353-9003'],
    }),
  })], [
    {
      title: 'Should support an \'allow-gress\' policy across different protocols',
      probes: [
        ['harry-0', 'luna-0', 'TCP', 80, true], ['harry-1', 'luna-0', 'UDP', 53, true], ['harry-0', 'luna-0', 'SCTP', 9003, true],
        ['luna-0', 'harry-0', 'TCP', 80, true], ['luna-1', 'harry-0', 'UDP', 53, true], ['luna-1', 'harry-0', 'SCTP', 9003, true],
      ],
    },
    {
      title: 'Should support an \'allow-gress\' policy across different protocols at the specified ports',
      probes: [
        ['harry-0', 'cedric-1', 'TCP', 8080, true], ['harry-1', 'cedric-1', 'TCP', 80, false], ['harry-0', 'cedric-1', 'UDP', 5353, true],
        ['harry-1', 'cedric-1', 'UDP', 53, false], ['harry-0', 'cedric-1', 'SCTP', 9003, true], ['harry-1', 'cedric-1', 'SCTP', 9005, false],
        ['cedric-0', 'harry-1', 'TCP', 80, true], ['cedric-1', 'harry-1', 'TCP', 8080, false], ['cedric-0', 'harry-1', 'UDP', 5353, true],
        ['cedric-1', 'harry-1', 'UDP', 53, false], ['cedric-0', 'harry-1', 'SCTP', 9003, true], ['cedric-1', 'harry-1', 'SCTP', 9005, false],
      ],
    },
    {
      title: 'Should support an \'deny-gress\' policy across different protocols',
      change: (o) => {
        swap(o, 'default', 'egress', 0, 1);
        swap(o, 'default', 'ingress', 0, 1);
      },
      probes: [
        ['harry-0', 'luna-1', 'TCP', 80, false], ['harry-1', 'luna-1', 'UDP', 53, false], ['harry-0', 'luna-1', 'SCTP', 9003, false],
        ['luna-0', 'harry-1', 'TCP', 80, false], ['luna-1', 'harry-1', 'UDP', 53, false], ['luna-1', 'harry-1', 'SCTP', 9003, false],
      ],
    },
    {
      title: 'Should support an \'deny-gress\' policy across different protocols at the specified ports',
      probes: [
        ['harry-0', 'draco-0', 'TCP', 80, false], ['harry-1', 'draco-0', 'TCP', 8080, true], ['harry-0', 'draco-0', 'UDP', 53, false],
        ['harry-1', 'draco-0', 'UDP', 5353, true], ['harry-0', 'draco-0', 'SCTP', 9003, false], ['harry-1', 'draco-0', 'SCTP', 9005, true],
        ['draco-0', 'harry-0', 'TCP', 80, false], ['draco-1', 'harry-0', 'TCP', 8080, true], ['draco-0', 'harry-0', 'UDP', 53, false],
        ['draco-1', 'harry-0', 'UDP', 5353, true], ['draco-0', 'harry-0', 'SCTP', 9003, false], ['draco-1', 'harry-0', 'SCTP', 9005, true],
      ],
    },
  ]);

  const everyProtocol = (from: string, to: string, allowed: boolean): Probe[] =>
    [['TCP', 80], ['UDP', 53], ['SCTP', 9003]].map(([protocol, port]) => [from, to, protocol as Protocol, port as number, allowed] as const);
  conformance('CNPBaselineTierEgressInlineCIDRPeers', () => [cnp('default', 'Baseline', 10, ns('gryffindor'), {
    egress: [
      rule('egress', 'allow-egress-to-slytherin', 'Accept', [housePods('slytherin')]),
      rule('egress', 'deny-egress-to-internet', 'Deny', [{ networks: ['0.0.0.0/0', '::/0'] }]),
    ],
  })], [
    {
      title: 'Should support a \'deny-egress\' rule policy for egress-cidr-peer',
      probes: [...everyProtocol('harry-1', 'luna-0', false), ...everyProtocol('harry-1', 'cedric-0', false), ...everyProtocol('harry-1', 'draco-0', true)],
    },
    {
      title: 'Should support an \'allow-egress\' rule policy for egress-cidr-peer',
      change: (o) => policy(o, 'default').spec.egress.unshift(rule('egress', 'allow-egress-to-specific-podIPs', 'Accept',
        [{ networks: [`${podIp('luna-0')}/32`, `${podIp('cedric-0')}/32`] }])),
      probes: [...everyProtocol('harry-1', 'luna-0', true), ...everyProtocol('harry-1', 'cedric-0', true),
        ...everyProtocol('harry-1', 'luna-1', false), ...everyProtocol('harry-1', 'cedric-1', false)],
    },
  ]);
});

// --- Experimental channel --------------------------------------------------------------------------

describe('network-policy-api conformance v0.2.0: experimental (named ports)', () => {
  const withNamedPort = (objects: Json[], direction: Direction, index: number, name: string) => {
    objects[0].spec[direction][index].protocols = [{ destinationNamedPort: name }];
    return objects;
  };
  conformance('CNPAdminTierEgressNamedPort', () => withNamedPort([cnp('egress-tcp', 'Admin', 6, ns('gryffindor'), {
    egress: adminRules({ direction: 'egress', everything: 'ravenclaw', denyAt: ['slytherin', [tcp(80)], 'port-80'], allowAt: ['hufflepuff', [tcp(8080)], 'port-8080'] }),
  })], 'egress', 5, 'web'), [
    { title: 'Should support an \'allow-egress\' policy for named port', probes: [['harry-0', 'cedric-1', 'TCP', 80, true], ['harry-1', 'cedric-1', 'TCP', 8080, false]] },
  ]);
  conformance('CNPAdminTierIngressNamedPort', () => withNamedPort([cnp('ingress-udp', 'Admin', 4, ns('hufflepuff'), {
    ingress: adminRules({ direction: 'ingress', everything: 'ravenclaw', denyAt: ['slytherin', [udp(5353)], 'port-5353'], allowAt: ['gryffindor', [udp(53)], 'port-53'] }),
  })], 'ingress', 5, 'dns'), [
    { title: 'Should support an \'allow-ingress\' policy for named port', probes: [['harry-0', 'cedric-1', 'UDP', 53, true], ['harry-1', 'cedric-1', 'UDP', 5353, false]] },
  ]);
  conformance('CNPBaselineTierEgressNamedPort', () => withNamedPort([cnp('default', 'Baseline', 10, ns('hufflepuff'), {
    egress: baselineRules({ direction: 'egress', everything: 'ravenclaw', denyAt: ['slytherin', [udp(5353)], 'port-5353'], allowAt: ['gryffindor', [udp(53)], 'port-53'] }),
  })], 'egress', 3, 'dns'), [
    { title: 'Should support an \'allow-egress\' policy for named port', probes: [['cedric-0', 'harry-1', 'UDP', 53, true], ['cedric-1', 'harry-1', 'UDP', 5353, false]] },
  ]);
  conformance('CNPBaselineTierIngressNamedPort', () => withNamedPort([cnp('default', 'Baseline', 10, ns('gryffindor'), {
    ingress: baselineRules({ direction: 'ingress', everything: 'ravenclaw', denyAt: ['slytherin', [tcp(80)], 'port-80'], allowAt: ['hufflepuff', [tcp(80)], 'port-80'] }),
  })], 'ingress', 3, 'web'), [
    { title: 'Should support an \'allow-ingress\' policy for named port', probes: [['cedric-0', 'harry-1', 'TCP', 80, true], ['cedric-1', 'harry-1', 'TCP', 8080, false]] },
  ]);

  test('CNPAdminTierEgressNodePeers and CNPBaselineTierEgressNodePeers: node peers are refused as not modelled (the model has no nodes), not guessed', () => {
    const nodePeers = cnp('node-and-cidr-as-peers-example', 'Admin', 75, housePods('gryffindor'), {
      egress: [
        rule('egress', 'allow-egress-to-36363-on-nodes', 'Accept', [{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }], [tcp(36363)]),
        rule('egress', 'deny-egress-to-slytherin-and-nodes-and-internet', 'Deny',
          [housePods('slytherin'), { nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }, { networks: ['0.0.0.0/0', '::/0'] }]),
      ],
    });
    expectValidManifests([nodePeers]);
    for (const cni of CNIS) {
      expect(() => baseModel(cni).addManifest(nodePeers)).toThrow(/spec\.egress\[0\]\.to\[0\]\.nodes: node peers select nodes by their labels, and the model has no nodes/);
    }
  });
});

// --- Added after v0.2.0 ------------------------------------------------------------------------------

describe('network-policy-api conformance, tests added after v0.2.0', () => {
  const pair = (name: string, tier: 'Admin' | 'Baseline', priority: number, subject: House, peer: House, port: number) =>
    cnp(name, tier, priority, ns(subject), {
      ingress: [rule('ingress', `deny-from-${peer}`, 'Deny', [ns(peer)], [tcp(port)])],
      egress: [rule('egress', `deny-to-${peer}`, 'Deny', [ns(peer)], [tcp(port)])],
    });
  conformance('CNPAdminTierSamePriority', () => [
    pair('same-priority-gryffindor-slytherin', 'Admin', 15, 'gryffindor', 'slytherin', 80),
    pair('same-priority-gryffindor-hufflepuff', 'Admin', 15, 'gryffindor', 'hufflepuff', 80),
    pair('same-priority-hufflepuff-slytherin', 'Admin', 15, 'hufflepuff', 'slytherin', 8080),
  ], [{
    title: 'Should apply every policy of one priority whose rules do not overlap',
    probes: [
      ['draco-0', 'harry-0', 'TCP', 80, false], ['harry-0', 'draco-0', 'TCP', 80, false], ['cedric-0', 'harry-0', 'TCP', 80, false],
      ['harry-1', 'cedric-0', 'TCP', 80, false], ['draco-1', 'cedric-0', 'TCP', 8080, false], ['cedric-1', 'draco-0', 'TCP', 8080, false],
      ['draco-0', 'harry-0', 'TCP', 8080, true], ['harry-0', 'draco-0', 'TCP', 8080, true], ['draco-1', 'cedric-0', 'TCP', 80, true],
      ['cedric-0', 'draco-0', 'TCP', 80, true], ['luna-0', 'harry-0', 'TCP', 80, true], ['harry-1', 'luna-0', 'TCP', 80, true],
    ],
  }]);
  conformance('CNPBaselineTierSamePriority', () => [
    pair('baseline-same-priority-gryffindor-slytherin', 'Baseline', 10, 'gryffindor', 'slytherin', 80),
    pair('baseline-same-priority-gryffindor-hufflepuff', 'Baseline', 10, 'gryffindor', 'hufflepuff', 80),
    pair('baseline-same-priority-hufflepuff-slytherin', 'Baseline', 10, 'hufflepuff', 'slytherin', 8080),
  ], [{
    title: 'Should apply every policy of one priority whose rules do not overlap',
    probes: [
      ['draco-0', 'harry-1', 'TCP', 80, false], ['harry-0', 'draco-1', 'TCP', 80, false], ['cedric-0', 'harry-1', 'TCP', 80, false],
      ['harry-1', 'cedric-1', 'TCP', 80, false], ['draco-1', 'cedric-1', 'TCP', 8080, false], ['cedric-1', 'draco-1', 'TCP', 8080, false],
      ['draco-0', 'harry-1', 'TCP', 8080, true], ['harry-0', 'draco-1', 'TCP', 8080, true], ['draco-1', 'cedric-1', 'TCP', 80, true],
      ['cedric-0', 'draco-1', 'TCP', 80, true], ['luna-0', 'harry-1', 'TCP', 80, true], ['harry-0', 'luna-1', 'TCP', 80, true],
    ],
  }]);

  const range = (protocol: 'tcp' | 'udp' | 'sctp', start: number, end: number): Json => ({ [protocol]: { destinationPort: { range: { start, end } } } });
  const portRange = (tier: 'Admin' | 'Baseline', priority: number) => () => [cnp('port-range-rules', tier, priority, ns('gryffindor'), Object.fromEntries(
    (['egress', 'ingress'] as const).map((direction) => [direction, [
      rule(direction, 'ravenclaw-tcp-range', 'Accept', [ns('ravenclaw')], [range('tcp', 80, 8080)]),
      rule(direction, 'hufflepuff-udp-range', 'Accept', [ns('hufflepuff')], [range('udp', 53, 5353)]),
      rule(direction, 'slytherin-sctp-range', 'Accept', [ns('slytherin')], [range('sctp', 9003, 9005)]),
      rule(direction, `deny-all-${direction}`, 'Deny', [{ namespaces: { matchExpressions: [{ key: 'conformance-house', operator: 'Exists' }] } }]),
    ]])))];
  const portRangeSteps: Step[] = [
    {
      title: 'Should support port ranges in egress rules',
      probes: [
        ['harry-0', 'luna-0', 'TCP', 80, true], ['harry-0', 'luna-0', 'TCP', 8080, true], ['harry-1', 'luna-0', 'UDP', 53, false],
        ['harry-0', 'cedric-0', 'UDP', 53, true], ['harry-0', 'cedric-0', 'UDP', 5353, true], ['harry-1', 'cedric-0', 'TCP', 80, false],
        ['harry-0', 'draco-0', 'SCTP', 9003, true], ['harry-0', 'draco-0', 'SCTP', 9005, true], ['harry-1', 'draco-0', 'TCP', 80, false],
      ],
    },
    {
      title: 'Should support port ranges in ingress rules',
      probes: [
        ['luna-0', 'harry-0', 'TCP', 80, true], ['luna-0', 'harry-0', 'TCP', 8080, true], ['luna-1', 'harry-0', 'UDP', 53, false],
        ['cedric-0', 'harry-0', 'UDP', 53, true], ['cedric-0', 'harry-0', 'UDP', 5353, true], ['cedric-1', 'harry-0', 'TCP', 80, false],
        ['draco-0', 'harry-0', 'SCTP', 9003, true], ['draco-0', 'harry-0', 'SCTP', 9005, true], ['draco-1', 'harry-0', 'TCP', 80, false],
      ],
    },
  ];
  conformance('CNPAdminTierPortRange', portRange('Admin', 9), portRangeSteps);
  conformance('CNPBaselineTierPortRange', portRange('Baseline', 10), portRangeSteps);

  const podName = (house: House, name: string): Json => ({
    pods: { namespaceSelector: { matchLabels: { 'conformance-house': house } }, podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': name } } },
  });
  const anyNamespace = (house: House): Json => ({ pods: { podSelector: { matchLabels: { 'conformance-house': house } } } });
  conformance('CNPAdminTierPodSelector', () => [
    cnp('pod-selector-rules', 'Admin', 20, anyNamespace('gryffindor'), {
      egress: [rule('egress', 'deny-to-ravenclaw-pods', 'Deny', [anyNamespace('ravenclaw')]), rule('egress', 'deny-to-cedric-0', 'Deny', [podName('hufflepuff', 'cedric-diggory-0')])],
      ingress: [rule('ingress', 'deny-from-slytherin-pods', 'Deny', [anyNamespace('slytherin')]), rule('ingress', 'deny-from-cedric-0', 'Deny', [podName('hufflepuff', 'cedric-diggory-0')])],
    }),
    cnp('pod-name-subject-rules', 'Admin', 21, podName('ravenclaw', 'luna-lovegood-0'), { egress: [rule('egress', 'deny-to-slytherin', 'Deny', [ns('slytherin')])] }),
  ], [{
    title: 'Should select pods of every namespace when namespaceSelector is omitted, and single pods by name',
    probes: [
      ['harry-0', 'luna-0', 'TCP', 80, false], ['harry-0', 'cedric-0', 'TCP', 80, false], ['harry-0', 'cedric-1', 'TCP', 80, true],
      ['draco-0', 'harry-0', 'TCP', 80, false], ['cedric-0', 'harry-0', 'TCP', 80, false], ['cedric-1', 'harry-0', 'TCP', 80, true],
      ['draco-0', 'cedric-0', 'TCP', 80, true], ['luna-0', 'draco-0', 'TCP', 80, false], ['luna-1', 'draco-0', 'TCP', 80, true],
    ],
  }]);
});
