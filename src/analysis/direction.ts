/**
 * Traffic direction from the point of view of the pod a policy selects: `ingress` is traffic the
 * pod receives, `egress` traffic it sends. Every engine's policies isolate and allow per direction.
 */
export type Direction = 'ingress' | 'egress';
