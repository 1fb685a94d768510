// The shared Mesh as one function instance last read it. Every sync plans against the Mesh, but it
// is one project-wide object that almost never changes, so re-reading it on each event would spend a
// quarter of a busy instance's Network Services request budget. A remembered read is used for a
// short while only and dropped as soon as a plan touches the Mesh or an apply fails, so a Mesh
// deleted or changed behind our back is seen again within `ttlMs`.
import type { NsMesh } from '../translate/types.ts';

export interface MeshMemo {
  /** The remembered read (null: the Mesh did not exist), or undefined when there is none or it expired. */
  recall(mesh: string, now?: number): NsMesh | null | undefined;
  remember(mesh: string, value: NsMesh | null, now?: number): void;
  forget(): void;
}

export const DEFAULT_MESH_MEMO_TTL_MS = 5000;

export function meshMemo(ttlMs = DEFAULT_MESH_MEMO_TTL_MS): MeshMemo {
  let held: { mesh: string; value: NsMesh | null; at: number } | undefined;
  return {
    recall(mesh, now = Date.now()) {
      if (!held || held.mesh !== mesh || now - held.at >= ttlMs) return undefined;
      return structuredClone(held.value);
    },
    remember(mesh, value, now = Date.now()) {
      held = { mesh, value: structuredClone(value), at: now };
    },
    forget() {
      held = undefined;
    },
  };
}
