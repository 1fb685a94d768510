// Minimal decoder for the protobuf bodies kubectl sends for built-in kinds (`kubectl create namespace`,
// `kubectl create service ...`): kubectl always sends protobuf for core types and does not retry in
// JSON on 415, so the stand-in reads the fields it stores and answers in JSON (the Accept header
// lists application/json too). Envelope: the 4-byte magic "k8s\0", then a runtime.Unknown message
// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw}. Field numbers are those of k8s.io/api generated.proto.
import { badRequest } from './errors.ts';
import type { KubeObj } from './resources.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, (bigint | Buffer)[]>;

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7n;
  }
}

/** Splits one message into its fields; repeated fields keep their order. */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    const num = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: bigint | Buffer;
    if (wire === 0) [value, pos] = readVarint(buf, p1);
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1);
      value = buf.subarray(p2, p2 + Number(len));
      pos = p2 + Number(len);
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      value = buf.subarray(p1, p1 + size);
      pos = p1 + size;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated field');
    out.set(num, [...(out.get(num) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return v instanceof Buffer && v.length ? v.toString('utf8') : undefined;
};
const num = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : undefined;
};
const msgs = (f: Fields, n: number): Fields[] =>
  (f.get(n) ?? []).filter((v): v is Buffer => v instanceof Buffer).map(fields);
const strs = (f: Fields, n: number): string[] =>
  (f.get(n) ?? []).filter((v): v is Buffer => v instanceof Buffer).map((b) => b.toString('utf8'));

/** map<string,string> entries are messages {1: key, 2: value}. */
function stringMap(f: Fields, n: number): Record<string, string> | undefined {
  const entries = msgs(f, n);
  if (!entries.length) return undefined;
  return Object.fromEntries(entries.map((e) => [str(e, 1) ?? '', str(e, 2) ?? '']));
}

function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function objectMeta(f: Fields): KubeObj['metadata'] {
  return compact({
    name: str(f, 1) ?? '',
    generateName: str(f, 2),
    namespace: str(f, 3),
    resourceVersion: str(f, 6),
    labels: stringMap(f, 11),
    annotations: stringMap(f, 12),
    finalizers: strs(f, 14).length ? strs(f, 14) : undefined,
  }) as KubeObj['metadata'];
}

function intOrString(f: Fields): number | string | undefined {
  return num(f, 1) === 1 ? str(f, 3) : num(f, 2);
}

function servicePort(f: Fields): Record<string, unknown> {
  const target = msgs(f, 4)[0];
  return compact({
    name: str(f, 1),
    protocol: str(f, 2),
    port: num(f, 3),
    targetPort: target ? intOrString(target) : undefined,
    nodePort: num(f, 5) || undefined,
    appProtocol: str(f, 6),
  });
}

function serviceSpec(f: Fields): Record<string, unknown> {
  return compact({
    ports: msgs(f, 1).length ? msgs(f, 1).map(servicePort) : undefined,
    selector: stringMap(f, 2),
    clusterIP: str(f, 3),
    type: str(f, 4),
    externalIPs: strs(f, 5).length ? strs(f, 5) : undefined,
    externalName: str(f, 10),
  });
}

/** Decodes a Namespace or Service sent as protobuf; any other kind gets a 415 naming the kind. */
export function decodeProtobuf(body: Buffer): KubeObj {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw badRequest('the protobuf request body does not start with the Kubernetes magic number');
  let unknown: Fields;
  let obj: Fields;
  try {
    unknown = fields(body.subarray(4));
    obj = fields((unknown.get(2)?.[0] as Buffer | undefined) ?? Buffer.alloc(0));
  } catch (e) {
    throw badRequest(`the protobuf request body could not be decoded: ${(e as Error).message}`);
  }
  const typeMeta = msgs(unknown, 1)[0] ?? new Map();
  const apiVersion = str(typeMeta, 1) ?? 'v1';
  const kind = str(typeMeta, 2) ?? '';
  const metadata = objectMeta(msgs(obj, 1)[0] ?? new Map());
  if (kind === 'Namespace') return { apiVersion, kind, metadata };
  if (kind === 'Service')
    return { apiVersion, kind, metadata, spec: serviceSpec(msgs(obj, 2)[0] ?? new Map()) };
  throw new ProtobufKindError(kind);
}

export class ProtobufKindError extends Error {
  constructor(public readonly kind: string) {
    super(
      `the stand-in decodes protobuf only for Namespace and Service (got ${kind || 'no kind'}); send JSON (e.g. kubectl apply -f) instead`,
    );
  }
}
