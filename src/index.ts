// The public face of cdk8s-netpol: re-exports only.
export { PolicyEngine } from './core/engine';
export { Protocol, Port } from './core/port';
export { LabelOperator, LabelExpression, LabelSelector } from './core/selector';
export { PeerKind, Peer } from './core/peer';
export type { KubeDnsOptions, InternetOptions, KubeApiServerOptions } from './core/peer';
export { ZeroTrustNamespace } from './constructs/zero-trust-namespace';
export type { ZeroTrustNamespaceProps } from './constructs/zero-trust-namespace';
export { ThreeTierApp } from './constructs/three-tier-app';
export type { ThreeTierAppProps, TierOptions } from './constructs/three-tier-app';
export { AllowPrometheusScrape } from './constructs/allow-prometheus-scrape';
export type { AllowPrometheusScrapeProps } from './constructs/allow-prometheus-scrape';
export { ExternalHttpsEgress } from './constructs/external-https-egress';
export type { ExternalHttpsEgressProps } from './constructs/external-https-egress';
