/**
 * The legacy stores' public entry, for the CLI and other callers outside the function: the port, username
 * normalization, and the Table Storage and JSON-lines stores. Import from here, not from the files, so the
 * module's insides can move without touching its callers.
 */
export * from './port';
export * from './normalize';
export * from './tableRepository';
export * from './fileRepository';
export * from './usersFile';
export * from './usernameHashTable';
