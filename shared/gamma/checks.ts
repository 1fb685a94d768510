// Schema-check primitives for validate*.ts. Each takes an untrusted value and its path, records a
// FieldError when the value breaks the rule, and never throws: wrong types are errors too.
import type { FieldError } from './errors.ts';
import { isPlainObject } from './parse.ts';

export type Obj = Record<string, unknown>;

export class Errors {
  readonly list: FieldError[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** An object (or undefined when absent and optional). */
export function object(errs: Errors, value: unknown, path: string, required = false): Obj | undefined {
  if (value === undefined) {
    if (required) errs.add(path, 'Required value');
    return undefined;
  }
  if (!isPlainObject(value)) {
    errs.add(path, `must be an object, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

export interface ListRule {
  required?: boolean;
  min?: number;
  max?: number;
}

/** A list; returns at most `max` items so hostile lengths cost nothing past the limit. */
export function list(errs: Errors, value: unknown, path: string, rule: ListRule = {}): unknown[] {
  if (value === undefined) {
    if (rule.required) errs.add(path, 'Required value');
    return [];
  }
  if (!Array.isArray(value)) {
    errs.add(path, `must be a list, got ${describe(value)}`);
    return [];
  }
  if (rule.min !== undefined && value.length < rule.min) {
    errs.add(path, `must have at least ${rule.min} item${rule.min === 1 ? '' : 's'}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    errs.add(path, `must have at most ${rule.max} items, got ${value.length}`);
    return value.slice(0, rule.max);
  }
  return value;
}

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Human wording of the pattern, e.g. "an RFC 1123 hostname". */
  patternName?: string;
  enum?: readonly string[];
}

export function string(
  errs: Errors,
  value: unknown,
  path: string,
  rule: StringRule = {},
): string | undefined {
  if (value === undefined || value === null) {
    if (rule.required) errs.add(path, 'Required value');
    return undefined;
  }
  if (typeof value !== 'string') {
    errs.add(path, `must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (rule.enum && !rule.enum.includes(value)) {
    errs.add(
      path,
      `Unsupported value ${describe(value)}: supported values: ${rule.enum.map((v) => `"${v}"`).join(', ')}`,
    );
    return value;
  }
  if (rule.min !== undefined && value.length < rule.min) {
    errs.add(path, rule.min === 1 ? 'must not be empty' : `must be at least ${rule.min} characters`);
    return value;
  }
  if (rule.max !== undefined && value.length > rule.max) {
    errs.add(path, `must be at most ${rule.max} characters, got ${value.length}`);
    return value;
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    errs.add(
      path,
      `invalid value ${describe(value)}: must be ${rule.patternName ?? `matching ${rule.pattern.source}`}`,
    );
  }
  return value;
}

export interface IntRule {
  required?: boolean;
  min?: number;
  max?: number;
}

export function integer(errs: Errors, value: unknown, path: string, rule: IntRule = {}): number | undefined {
  if (value === undefined || value === null) {
    if (rule.required) errs.add(path, 'Required value');
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errs.add(path, `must be an integer, got ${describe(value)}`);
    return undefined;
  }
  if (rule.min !== undefined && value < rule.min) {
    errs.add(path, `must be greater than or equal to ${rule.min}, got ${value}`);
  } else if (rule.max !== undefined && value > rule.max) {
    errs.add(path, `must be less than or equal to ${rule.max}, got ${value}`);
  }
  return value;
}

export function boolean(errs: Errors, value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    errs.add(path, `must be a boolean, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

/** list-type=map / set: the API server rejects an exact duplicate key. */
export function unique(errs: Errors, keys: (string | undefined)[], path: string, keyName?: string): void {
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (key === undefined) return;
    if (seen.has(key)) {
      errs.add(keyName ? at(at(path, i), keyName) : at(path, i), `Duplicate value: ${JSON.stringify(key)}`);
    }
    seen.add(key);
  });
}

// ---- patterns of the Gateway API and core schemas ----
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
export const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
