/**
 * A valid object (the cluster takes it and enforces it) using a feature the model does not
 * evaluate: service accounts, cloud groups, node selectors, TLS inspection, ... The model refuses
 * it rather than decide without it, but unlike an invalid object the cluster would apply it: the
 * linter does not report it as refused (admission/), and the message says what is missing.
 */
export class NotModelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotModelledError';
  }
}
