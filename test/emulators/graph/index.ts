export { appToken, GraphEmulator, tokenAppId, type GraphEmulatorOptions, type GraphEmulatorStats } from './emulator';
export type { FaultOptions, ThrottleOptions } from './limits';
export {
  AUTHENTICATION_EVENTS_APP_ID,
  B2C_EXTENSIONS_APP_DISPLAY_NAME,
  MICROSOFT_GRAPH_APP_ID,
  RECEIVE_PAYLOAD_ROLE_ID,
} from './directory';
