/**
 * The SDK's fetch client (sdk/src/client/) is written against the DOM's types, and names
 * `BodyInit`, which Node's types (this project's, without the DOM lib) leave out; the e2e tests
 * type-check the SDK through its sources. Remove this once @types/node declares it.
 */
type BodyInit = NonNullable<RequestInit['body']>;
