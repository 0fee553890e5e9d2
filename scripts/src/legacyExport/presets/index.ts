/** The export presets by name: one module each. */
import type { PresetName } from '../types';
import { aspnetIdentityPreset } from './aspnetIdentity';
import { b2cPreset } from './b2c';
import { djangoPreset } from './django';
import { firebasePreset } from './firebase';
import { genericPreset } from './generic';
import { keycloakPreset } from './keycloak';
import type { Preset } from './preset';

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  'aspnet-identity': aspnetIdentityPreset,
  django: djangoPreset,
  firebase: firebasePreset,
  keycloak: keycloakPreset,
  generic: genericPreset,
  b2c: b2cPreset,
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
