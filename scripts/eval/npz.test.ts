import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseNpy, parseNpz } from './npz';

/** A version-1 .npy file as numpy writes it: magic, version, header padded with spaces to a multiple of 64. */
function npy(descr: string, shape: number[], body: Uint8Array, fortran = false): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const padded = dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 10 - 1) + '\n';
  const out = new Uint8Array(10 + padded.length + body.length);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, padded.length & 255, padded.length >> 8]);
  out.set(new TextEncoder().encode(padded), 10);
  out.set(body, 10 + padded.length);
  return out;
}

describe('parseNpz', () => {
  it('reads float32 and uint8 arrays with their shapes from a zip of .npy files', () => {
    const f = new Float32Array([0.5, -1.25, 3, 1e-7, 2, 7]);
    const u = new Uint8Array([0, 1, 255, 128]);
    const archive = zipSync({
      'prob.npy': npy('<f4', [2, 3], new Uint8Array(f.buffer)),
      'img_u8.npy': npy('|u1', [2, 2, 1], u),
    });
    const arrays = parseNpz(archive);
    expect([...arrays.keys()].sort()).toEqual(['img_u8', 'prob']);
    expect(arrays.get('prob')!.shape).toEqual([2, 3]);
    expect(Array.from(arrays.get('prob')!.data)).toEqual(Array.from(f));
    expect(arrays.get('img_u8')!.shape).toEqual([2, 2, 1]);
    expect(Array.from(arrays.get('img_u8')!.data)).toEqual([0, 1, 255, 128]);
  });

  it('reads a 1-D float64 array', () => {
    const d = new Float64Array([Math.PI, -2]);
    const a = parseNpy(npy('<f8', [2], new Uint8Array(d.buffer)));
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data)).toEqual([Math.PI, -2]);
  });

  it('refuses what it cannot read, naming the array', () => {
    expect(() => parseNpy(new Uint8Array(16), 'x')).toThrow(/x is not a \.npy file/);
    expect(() => parseNpy(npy('<i8', [1], new Uint8Array(8)), 'ints')).toThrow(/ints: dtype <i8/);
    expect(() => parseNpy(npy('<f4', [1], new Uint8Array(4), true), 'f')).toThrow(/Fortran/);
  });
});
