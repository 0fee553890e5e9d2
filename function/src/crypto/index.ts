/** The decryption key material's public entry: certificate generation and the key sizes Entra accepts. */
export * from './certificate';
export * from './keySizes';
