import { invalid } from './errors.ts';

/** Resource IDs: a letter, then 2-254 of [A-Za-z0-9-_.~+%], never starting with "goog". */
const RESOURCE_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.:-]{1,100}$/;

export type Collection = 'topics' | 'subscriptions';

export interface ResourceName {
  project: string;
  id: string;
  full: string;
}

/** Parses projects/P/<collection>/ID, or throws INVALID_ARGUMENT worded like the service. */
export function parseName(collection: Collection, name: string | undefined): ResourceName {
  const parts = (name ?? '').split('/');
  const ok =
    parts.length === 4 &&
    parts[0] === 'projects' &&
    PROJECT_ID.test(parts[1]) &&
    parts[2] === collection &&
    RESOURCE_ID.test(parts[3]) &&
    !parts[3].startsWith('goog');
  if (!ok) throw invalid(`Invalid [${collection}] name: (name=${name ?? ''})`);
  return { project: parts[1], id: parts[3], full: name as string };
}

/** Parses projects/P (the parent of list calls). */
export function parseProject(project: string | undefined): string {
  const match = /^projects\/([^/]+)$/.exec(project ?? '');
  if (!match || !PROJECT_ID.test(match[1])) throw invalid(`Invalid [projects] name: (name=${project ?? ''})`);
  return match[1];
}

/** What a subscription's topic becomes after the topic is deleted (as the service reports it). */
export const DELETED_TOPIC = '_deleted-topic_';
