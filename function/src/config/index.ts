/** The function settings' public entry: the one loader, its defaults and its problem reports. */
export * from './settings';
