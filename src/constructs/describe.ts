import { Construct } from 'constructs';

/** Names a construct in error messages the way the user wrote it: `ThreeTierApp "prod/shop"`. */
export function describeConstruct(kind: string, construct: Construct): string {
  return `${kind} "${construct.node.path}"`;
}
