/**
 * A minimal ONNX model writer (protobuf wire format, only the fields a one-node graph needs), so that the
 * kernel benchmark can build its single-operator models without Python or a protobuf library. Integer
 * attributes must be non-negative (negative int64 varints are not written).
 */

export const DataType = { float: 1, uint8: 2, int8: 3 } as const;
export type ElemType = keyof typeof DataType;

export interface Initializer {
  name: string;
  type: ElemType;
  dims: number[];
  data: Float32Array | Uint8Array | Int8Array;
}

export interface OneNodeModel {
  op: string;
  inputs: string[];
  output: { name: string; type: ElemType; dims: number[] };
  /** Graph inputs fed at run time (the others are initializers). */
  feeds: { name: string; type: ElemType; dims: number[] }[];
  initializers: Initializer[];
  intsAttributes?: Record<string, number[]>;
  opset?: number;
}

class Writer {
  private readonly parts: number[] = [];

  varint(field: number, value: number): this {
    this.key(field, 0);
    this.raw(value);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.raw(data.length);
    for (const b of data) this.parts.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private key(field: number, wire: number): void {
    this.raw(field * 8 + wire);
  }

  private raw(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    let v = value;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
  }
}

function valueInfo(name: string, type: ElemType, dims: number[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, new Writer().varint(1, d));
  const tensor = new Writer().varint(1, DataType[type]).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensor));
}

/** Serialise a model with one operator node; the result loads in onnxruntime-node and onnxruntime-web. */
export function oneNodeModel(m: OneNodeModel): Uint8Array {
  const node = new Writer();
  for (const i of m.inputs) node.string(1, i);
  node.string(2, m.output.name).string(3, 'n0').string(4, m.op);
  for (const [name, ints] of Object.entries(m.intsAttributes ?? {})) {
    const a = new Writer().string(1, name);
    for (const v of ints) a.varint(8, v);
    node.message(5, a.varint(20, 7)); // AttributeProto.INTS
  }
  const graph = new Writer().message(1, node).string(2, 'g');
  for (const init of m.initializers) {
    const t = new Writer();
    for (const d of init.dims) t.varint(1, d);
    t.varint(2, DataType[init.type]).string(8, init.name);
    t.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
    graph.message(5, t);
  }
  for (const f of m.feeds) graph.message(11, valueInfo(f.name, f.type, f.dims));
  graph.message(12, valueInfo(m.output.name, m.output.type, m.output.dims));
  return new Writer()
    .varint(1, 7) // IR version 7
    .message(7, graph)
    .message(8, new Writer().string(1, '').varint(2, m.opset ?? 13))
    .finish();
}
