// NumPy .npz archives (a zip of .npy files, as np.savez writes them), for reference tensors recorded in Python.
// fflate unzips; the .npy header is a few lines of parsing (no npm package reads .npy without a large dependency).
import { unzipSync } from 'fflate';

export interface NpyArray {
  shape: number[];
  data: Float32Array | Float64Array | Uint8Array;
}

const MAGIC = '\x93NUMPY';

/** One .npy file: little-endian float32, float64 or uint8, C order. */
export function parseNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  if (String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC)
    throw new Error(`${name} is not a .npy file (no \\x93NUMPY magic).`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${name}: unreadable .npy header.`);
  if (fortran === 'True') throw new Error(`${name}: Fortran-order arrays are not supported.`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const body = bytes.slice(offset, offset + count * ({ '<f4': 4, '<f8': 8 }[descr] ?? 1)); // copy: aligned
  switch (descr) {
    case '<f4':
      return { shape, data: new Float32Array(body.buffer, 0, count) };
    case '<f8':
      return { shape, data: new Float64Array(body.buffer, 0, count) };
    case '|u1':
      return { shape, data: new Uint8Array(body.buffer, 0, count) };
    default:
      throw new Error(`${name}: dtype ${descr} is not supported (float32, float64, uint8 are).`);
  }
}

/** Every array of an .npz archive by its name (without ".npy"). */
export function parseNpz(bytes: Uint8Array): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const [file, content] of Object.entries(unzipSync(bytes))) {
    if (!file.endsWith('.npy')) continue;
    const name = file.slice(0, -4);
    out.set(name, parseNpy(content, name));
  }
  return out;
}
