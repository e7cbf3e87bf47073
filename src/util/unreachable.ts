/**
 * The default of a switch that names every case of a union: with `value` typed `never`, adding a
 * case to the union and forgetting it here fails to compile; should a value the types do not allow
 * arrive at run time (a JavaScript caller), it throws instead of taking some other branch.
 * @param what the value's role, for the message: "peer kind"
 */
export function unreachable(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
