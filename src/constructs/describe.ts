import { Construct } from 'constructs';
import { flat } from '../util/flat';

/** Names a construct in error messages the way the user wrote it: `ThreeTierApp "prod/shop"`. */
export function describeConstruct(kind: string, construct: Construct): string {
  return flat(`${kind} "${construct.node.path}"`);
}
