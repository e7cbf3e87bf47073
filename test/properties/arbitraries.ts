/**
 * fast-check generators of valid inputs, written from the Kubernetes rules (not from src/), so
 * that a validation bug in src/ cannot shape its own test data.
 */
import * as fc from 'fast-check';
import { Peer, Port } from '../../src';

/** DNS-1123 label: lowercase alphanumerics and "-", alphanumeric at both ends, at most 63. */
export const namespaceName = fc.stringMatching(/^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/);

/** Label keys with and without a DNS-subdomain prefix; label values (possibly empty). */
export const labelKey = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
  fc.tuple(fc.stringMatching(/^[a-z]{1,6}\.(io|com)$/), fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.-]{0,8}[a-zA-Z0-9]$/)).map(([p, n]) => `${p}/${n}`),
);
export const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,8}[a-zA-Z0-9])?$/));
export const labels = fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 3 })
  // Keys the libraries reserve for namespaces and the engines' own labels are not for pods.
  .filter((l) => !Object.keys(l).some((k) => k.startsWith('kubernetes.io') || k.includes('cilium') || k.includes('calico')));

export const portNumber = fc.integer({ min: 1, max: 65535 });

/** IANA service names: 1-15 lowercase alphanumerics and "-", a letter, no "--", no "-" at the ends. */
export const portName = fc.stringMatching(/^[a-z]([a-z0-9]{0,6}(-[a-z0-9]{1,6})?)$/).filter((n) => n.length <= 15);

export const port: fc.Arbitrary<Port> = fc.oneof(
  portNumber.map(Port.tcp),
  portNumber.map(Port.udp),
  fc.tuple(portNumber, portNumber).filter(([a, b]) => a < b).map(([a, b]) => Port.tcpRange(a, b)),
  portName.map((n) => Port.named(n)),
);

/** An IPv4 network address (host bits zero) with its prefix. */
export const ipv4Cidr = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([addr, prefix]) => {
  const block = 2 ** (32 - prefix);
  const net = Math.floor(addr / block) * block;
  const octet = (shift: number) => Math.floor(net / 2 ** shift) % 256;
  return `${octet(24)}.${octet(16)}.${octet(8)}.${octet(0)}/${prefix}`;
});

/** Blocks that stay clear of link-local (the metadata endpoint), so the constructs' promises hold. */
const publicCidr = ipv4Cidr.filter((c) => !c.startsWith('169.254.') && Number(c.split('/')[1]) >= 8 && !c.startsWith('0.'));

export const peer: fc.Arbitrary<Peer> = fc.oneof(
  labels.map(Peer.pods),
  fc.tuple(namespaceName, labels).map(([ns, l]) => Peer.podsInNamespace(ns, l)),
  namespaceName.map(Peer.namespace),
  labels.map(Peer.namespaces),
  publicCidr.map((c) => Peer.ipBlock(c)),
  fc.constant(Peer.internet()),
);
