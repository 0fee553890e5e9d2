/** The function host's public entry, for local hosts (`jitmigrate serve`, the sandbox, benchmarks): the HTTP
 *  endpoint the Functions host runs, and the runtime it is built from. */
export * from './httpEntry';
export * from './runtime';
