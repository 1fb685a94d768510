// Errors of the gamma layer. Validation problems are values (FieldError); ManifestError is the
// user-facing form that names the file, the object and the field.

/** One schema or CEL violation, located by a JSON-ish path such as `spec.rules[0].matches[1].path.value`. */
export interface FieldError {
  path: string;
  message: string;
}

export interface ManifestErrorParts {
  file: string;
  kind?: string;
  namespace?: string;
  name?: string;
  field?: string;
  /** 1-based position of the YAML/JSON document in its file; names the object when it has no name. */
  document?: number;
}

/** `<file>: <Kind> <namespace>/<name>: <field>: <message>`, parts omitted when unknown. */
export class ManifestError extends Error {
  readonly file: string;
  readonly kind?: string;
  readonly namespace?: string;
  /** The object's metadata.name ('' when unknown). Shadows Error.name on purpose (the agreed API calls it `name`). */
  override name: string;
  readonly objectName?: string;
  readonly field?: string;
  readonly document?: number;
  /** The bare message, without the location prefix. */
  readonly detail: string;

  constructor(parts: ManifestErrorParts, detail: string) {
    super(formatManifestError(parts, detail));
    this.file = parts.file;
    this.kind = parts.kind;
    this.namespace = parts.namespace;
    this.name = parts.name ?? '';
    this.objectName = parts.name;
    this.field = parts.field;
    this.document = parts.document;
    this.detail = detail;
  }
}

function formatManifestError(parts: ManifestErrorParts, detail: string): string {
  const segments: string[] = [parts.file];
  const object = describeObject(parts);
  if (object) segments.push(object);
  if (parts.field) segments.push(parts.field);
  segments.push(detail);
  return segments.join(': ');
}

function describeObject(parts: ManifestErrorParts): string {
  let id = '';
  if (parts.name) id = parts.namespace ? `${parts.namespace}/${parts.name}` : parts.name;
  else if (parts.document !== undefined)
    id = parts.kind ? `(document ${parts.document})` : `document ${parts.document}`;
  return [parts.kind, id].filter(Boolean).join(' ');
}
