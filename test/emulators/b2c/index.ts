export { B2C_REQUEST_TIMEOUT_MS, B2cStandIn, loopbackServiceUrl, type B2cStandInOptions, type SignUpProfile } from './standIn';
export { B2cDirectory, extensionAttribute, migrationFlagAttribute, type B2cUser, type NewB2cUser } from './directory';
export type { JourneyOutcome, JourneyResult, JourneyTrace, ProfileRun } from './journey';
export type { RestCall, TokenRequest } from './restfulProvider';
export { B2cPolicyError } from './technicalProfile';
