/** The hash schemes' public entry: the registry that verifies a password against a legacy hash, its types
 *  and the encodings legacy exports use. */
export * from './registry';
export * from './types';
export * from './encoding';
