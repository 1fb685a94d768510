// An emulator's --state file: written atomically (a temporary file renamed over it), read back with
// errors that name the file; a missing file is no state yet.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeStateFile(file: string, content: object): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(content));
  renameSync(tmp, file);
}

/** The parsed file (version 1), or undefined when it does not exist. */
export function readStateFile<T extends { version: number }>(file: string, emulator: string): T | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: T;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${emulator} emulator state file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed.version !== 1)
    throw new Error(`${emulator} emulator state file ${file}: unsupported version ${String(parsed.version)}`);
  return parsed;
}
