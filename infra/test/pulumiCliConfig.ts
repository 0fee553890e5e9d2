/**
 * The Pulumi CLI's own check of a stack's config against the project's `config:` schema, applied before the
 * program runs (so mocks never see it): `mergeConfig` and `validateStackConfigValue` in
 * pulumi/pulumi sdk/go/common/workspace/config.go (v3.2xx). Rules, in the CLI's order:
 *  1. a project key the stack does not set, with neither `default` nor `value`, is missing; every missing
 *     key is reported at once: "Stack 'dev' is missing configuration value(s) ...";
 *  2. otherwise an unset key takes its `default` (or `value`) as a plain, unencrypted value;
 *  3. each declared key's value is then validated: `secret: true` needs an encrypted (`secure:`) value,
 *     which a default never is; the value must parse as the declared type.
 * Test support only: it lets the suite prove that `pulumi up` starts on every committed stack.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface ProjectKeySchema {
  type?: 'string' | 'integer' | 'boolean' | 'array';
  items?: ProjectKeySchema;
  secret?: boolean;
  default?: unknown;
  value?: unknown;
}

export interface ProjectFile {
  name: string;
  config?: Record<string, ProjectKeySchema>;
}

/** A stack file's value: a scalar, a list, or an encrypted `{ secure: ... }`. */
export type StackValue = string | number | boolean | unknown[] | Record<string, unknown>;

export interface CliConfigResult {
  /** The CLI's error, as it words it, or undefined when the program would start. */
  readonly error?: string;
  /** What the program receives: fully qualified key → string (lists as JSON), defaults applied. */
  readonly config: Record<string, string>;
  /** Keys whose value is encrypted. */
  readonly secretKeys: readonly string[];
}

const isSecure = (value: unknown): boolean => !!value && typeof value === 'object' && !Array.isArray(value) && 'secure' in value;

function asConfigString(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function matchesType(schema: ProjectKeySchema, value: unknown): boolean {
  switch (schema.type) {
    case undefined:
      return true;
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case 'integer':
      return /^-?\d+$/.test(String(value));
    case 'boolean':
      return value === true || value === false || value === 'true' || value === 'false';
    case 'array':
      return Array.isArray(value) && (!schema.items || value.every((item) => matchesType(schema.items!, item)));
  }
}

function formatKeys(keys: string[]): string {
  if (keys.length === 1) return `'${keys[0]}'`;
  const quoted = [...keys].sort().map((k) => `'${k}'`);
  return `${quoted.slice(0, -1).join(', ').replace(/, ('[^']*')$/, ' $1')} and ${quoted.at(-1)}`;
}

/** Applies the CLI's rule to one stack: `stackConfig` is the stack file's `config:` map as written. */
export function applyCliConfigRule(project: ProjectFile, stackName: string, stackConfig: Record<string, StackValue>): CliConfigResult {
  const merged: Record<string, unknown> = { ...stackConfig };
  const secretKeys = Object.keys(stackConfig).filter((key) => isSecure(stackConfig[key]));
  const missing: string[] = [];
  const keys = Object.keys(project.config ?? {}).sort();
  for (const key of keys) {
    const schema = project.config![key]!;
    const full = key.includes(':') ? key : `${project.name}:${key}`;
    if (full in merged) continue;
    if (schema.default === undefined && schema.value === undefined) {
      if (full.startsWith(`${project.name}:`)) missing.push(key);
      continue;
    }
    merged[full] = schema.default !== undefined ? schema.default : schema.value;
  }
  const config = Object.fromEntries(Object.entries(merged).filter(([k]) => !secretKeys.includes(k)).map(([k, v]) => [k, asConfigString(v)]));
  if (missing.length > 0) {
    return { error: `Stack '${stackName}' is missing configuration value${missing.length > 1 ? 's' : ''} ${formatKeys(missing)}`, config, secretKeys };
  }
  for (const key of keys) {
    const schema = project.config![key]!;
    const full = key.includes(':') ? key : `${project.name}:${key}`;
    if (!(full in merged)) continue;
    const value = merged[full];
    if (schema.secret && !isSecure(value)) return { error: `Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`, config, secretKeys };
    if (!isSecure(value) && !matchesType(schema, value)) return { error: `Stack '${stackName}' with configuration key '${key}' must be of type '${schema.type}'`, config, secretKeys };
  }
  return { config, secretKeys };
}

/** Every committed stack file next to Pulumi.yaml: `Pulumi.<stack>.yaml`. */
export function committedStackFiles(repoRoot: string): { stack: string; file: string }[] {
  return readdirSync(repoRoot)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ stack: m[1]!, file: path.join(repoRoot, m[0]) }));
}
