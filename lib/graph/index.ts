export {
  DEFAULT_GRAPH_URL,
  GraphClient,
  type GraphClientOptions,
  type GraphPage,
  type GraphResponse,
  type ListOptions,
  type RequestOptions,
  type ThrottleInfo,
} from './client';
export { MAX_BATCH_REQUESTS } from './batch';
export { GraphError, graphErrorForBatchItem } from './errors';
export { APP_IDENTITY_HELP, AppIdentityError, parseAppIdentities, parseAppIdentity, type AppIdentity } from './appIdentity';
export { graphClientFromEnvironment, GRAPH_TOKEN_VARIABLE, GRAPH_URL_VARIABLE, type GraphEnvironmentOptions } from './environment';
export { DEFAULT_GRAPH_SCOPE, graphScopeFor, staticToken, tokenFromCredential, type AccessTokenSource } from './token';
export * from './types';
