// The shared Mesh as one function instance last read it. Every sync plans against the Mesh, but it
// is one project-wide object that almost never changes, so re-reading it on each event would spend a
// quarter of a busy instance's Network Services request budget. A remembered read is used for a
// short while only and dropped as soon as a plan touches the Mesh or an apply fails, so a Mesh
// deleted or changed behind our back is seen again within `ttlMs`.
import type { NsMesh } from '../translate/types.ts';
import { ttlMemo } from './memo.ts';

export interface MeshMemo {
  /** The remembered read (null: the Mesh did not exist), or undefined when there is none or it expired. */
  recall(mesh: string, now?: number): NsMesh | null | undefined;
  remember(mesh: string, value: NsMesh | null, now?: number): void;
  forget(): void;
}

export const DEFAULT_MESH_MEMO_TTL_MS = 5000;

export function meshMemo(ttlMs = DEFAULT_MESH_MEMO_TTL_MS): MeshMemo {
  // One Mesh per function configuration: a single entry.
  const memo = ttlMemo<NsMesh | null>({ ttlMs, maxEntries: 1 });
  return {
    recall: (mesh, now) => memo.recall(mesh, now),
    remember: (mesh, value, now) => memo.remember(mesh, value, now),
    forget: () => memo.forget(),
  };
}
