/**
 * The migration flag: a Boolean directory extension attribute named
 * `extension_{b2c-extensions-app appId without hyphens}_{name}` (docs/entra-contracts.md#migration-flag; Graph
 * "Add custom data to users using directory extensions"). The listener's handler names the same attribute as
 * `migrationPropertyId` (docs/entra-contracts.md#listener).
 */
import { UsageError } from '../commands/args';
import { GraphError } from '../../../lib/graph';
import { GUID_SOURCE } from '../../../lib/ids/guid';
import { EXTENSION_ATTRIBUTE } from '../../../lib/ids/extensionAttribute';

/** `extension_{app id with hyphens}_{name}`, as someone may paste it. */
const HYPHENATED_NAME = new RegExp(`^extension_(${GUID_SOURCE})_(\\w+)$`, 'i');

export interface MigrationProperty {
  /** The full attribute name as Graph spells it on users. */
  readonly name: string;
  /** The b2c-extensions-app appId, hyphenated, for messages that tell the operator where to look. */
  readonly appId: string;
}

const EXAMPLE = 'extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated';
const SHAPE = `extension_<b2c-extensions-app appId without hyphens>_<name>, like ${EXAMPLE}`;

/** `option` names the flag in messages: --b2c-object-id-property follows the same rules. */
export function parseMigrationProperty(raw: string | undefined, option = '--migration-property'): MigrationProperty {
  const value = raw?.trim() ?? '';
  if (value === '') throw new UsageError(`${option} is required: the flag attribute, ${SHAPE}`);
  const hyphenated = HYPHENATED_NAME.exec(value);
  if (hyphenated) {
    throw new UsageError(`${option} spells the appId with hyphens: use extension_${(hyphenated[1] as string).replace(/-/g, '')}_${hyphenated[2]}`);
  }
  if (!/^extension_/i.test(value)) {
    throw new UsageError(`${option} "${printable(value)}" looks like a short name: Graph names the attribute ${SHAPE}`);
  }
  const match = EXTENSION_ATTRIBUTE.exec(value);
  if (!match) {
    throw new UsageError(
      `${option} "${printable(value)}" is not ${SHAPE}: the middle part is the 32 hex digits of the b2c-extensions-app appId ` +
        `and the name has only letters, digits and _ (GET /applications(appId='<b2c-extensions-app appId>')/extensionProperties lists them)`,
    );
  }
  const hex = (match[1] as string).toLowerCase();
  return { name: value, appId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
}

/**
 * Graph answers 400 when a filter or `$select` names an attribute the tenant does not have. That is almost
 * always a wrong `--migration-property`, so say so instead of passing on "invalid filter clause".
 */
export function explainUnknownProperty(error: unknown, property: MigrationProperty): unknown {
  if (!(error instanceof GraphError) || error.status !== 400) return error;
  if (!(error.graphMessage ?? '').toLowerCase().includes(property.name.toLowerCase())) return error;
  return new Error(
    `Graph does not know the user attribute ${property.name}: check --migration-property against ` +
      `GET /applications(appId='${property.appId}')/extensionProperties (it must target User and be a Boolean) [${error.message}]`,
  );
}

function printable(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value.replace(/[^\x20-\x7e]/g, '?');
}
