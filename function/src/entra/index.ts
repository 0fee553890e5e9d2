/** The Entra side's public entry: the rule that tells a password set in Entra from the one set at creation. */
export * from './passwordChange';
