/**
 * The same text, stored flat. V8 keeps a string built with `+` or a template literal as a tree of
 * its parts (a "cons string") until something reads its characters; reading one character
 * flattens it in place and lets the tree be collected. For strings kept for a whole synthesis
 * (policy descriptions, promise ids and descriptions, construct names in errors): an estate of
 * 1,000 namespaces kept 330,000 such tree nodes, a third of the library's heap, and a larger heap
 * slows cdk8s's own walks of the construct tree (see BENCHMARKS.md). Harmless on other engines.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
