/** The B2C endpoints' public entry: how the function authenticates B2C's RESTful technical profile calls. */
export * from './callerAuthentication';
