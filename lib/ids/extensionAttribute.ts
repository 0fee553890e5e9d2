/**
 * The one check of a directory extension attribute's full name, as Graph spells it on users:
 * `extension_{owning app's appId without hyphens}_{name}`, the name up to 120 letters, digits and underscores
 * (Graph extensionProperty). Groups: 1 the appId's 32 hex digits, 2 the name.
 */
export const EXTENSION_ATTRIBUTE = /^extension_([0-9a-f]{32})_(\w{1,120})$/i;
