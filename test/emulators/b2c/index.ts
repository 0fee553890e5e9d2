export { B2C_REQUEST_TIMEOUT_MS, B2cStandIn, loopbackServiceUrl, type B2cStandInOptions, type SignUpProfile } from './standIn';
export {
  addPreProvisioned,
  extensionAttribute,
  InMemoryB2cDirectory,
  migrationFlagAttribute,
  type B2cDirectory,
  type B2cUser,
  type B2cUserChanges,
  type NewB2cUser,
} from './directory';
export { GraphEmulatorB2cDirectory } from './graphDirectory';
export type { JourneyOutcome, JourneyResult, JourneyTrace, ProfileRun } from './journey';
export type { RestCall, TokenRequest } from './restfulProvider';
export { B2cPolicyError } from './technicalProfile';
