/**
 * The settings the sandbox's function runs with, written where `jitmigrate serve --settings` reads them
 * (the `Values` of a local.settings.json), so an operator can serve a copy of their own against the same
 * emulators. A secret's value goes neither into that file nor onto the screen: each secret is a file of its
 * own (mode 0600), named after its setting, which the printed command reads.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeDirectory } from '../operations/files';

export interface SandboxSettings {
  /** Settings whose values may be shown. */
  readonly plain: Readonly<Record<string, string>>;
  /** Settings whose values are secrets (keys, connection strings, tokens). */
  readonly secrets: Readonly<Record<string, string>>;
}

export interface WrittenSettings {
  readonly settingsFile: string;
  readonly secretsFolder: string;
  /** Setting name → the file that holds its value. */
  readonly secretFiles: Readonly<Record<string, string>>;
}

export const SETTINGS_FILE = 'local.settings.json';
export const SECRETS_FOLDER = 'secrets';

export async function writeSandboxSettings(dir: string, settings: SandboxSettings): Promise<WrittenSettings> {
  const secretsDir = path.join(dir, SECRETS_FOLDER);
  await makeDirectory(secretsDir, 'the sandbox folder');
  const secretFiles: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings.secrets)) {
    secretFiles[name] = path.join(secretsDir, name);
    await writePrivateFile(secretFiles[name], value);
  }
  const settingsFile = path.join(dir, SETTINGS_FILE);
  await writePrivateFile(settingsFile, `${JSON.stringify({ IsEncrypted: false, Values: settings.plain }, null, 2)}\n`);
  return { settingsFile, secretsFolder: secretsDir, secretFiles };
}

/** The command that serves a copy with these settings: each secret read from its file by the shell, never spelled out. */
export function serveCommandLine(written: WrittenSettings, port: number, cwd = process.cwd()): string {
  const secrets = Object.keys(written.secretFiles).map((name) => `${name}="${secretFromFile(written, name, cwd)}"`);
  return [...secrets, 'npx jitmigrate serve --settings', shellWord(shown(written.settingsFile, cwd)), '--port', String(port)].join(' ');
}

/** `$(cat <file>)`: a secret setting's value as the shell reads it from its file, for a printed command. */
export function secretFromFile(written: WrittenSettings, name: string, cwd = process.cwd()): string {
  const file = written.secretFiles[name];
  if (file === undefined) throw new Error(`no secret file was written for ${name}`);
  return `$(cat ${shellWord(shown(file, cwd))})`;
}

/** A written file's path as a printed command names it. */
export function shownPath(file: string, cwd = process.cwd()): string {
  return shellWord(shown(file, cwd));
}

/** Relative to the working directory when inside it: shorter to read. */
function shown(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Mode 0600 from creation, and again for a file an earlier run left (its mode may have been changed). */
async function writePrivateFile(file: string, text: string): Promise<void> {
  await fs.writeFile(file, text, { mode: 0o600 });
  await fs.chmod(file, 0o600);
}
