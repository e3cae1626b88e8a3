// One raster case: a seed's files with mutations applied, written to a folder, opened as the app opens imagery
// (openImagerySet: GeoTIFF, VRT and its sources) and read window by window, every step under the property.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PixelWindow } from '../../core/raster/types';
import { openImagerySet } from '../imagery/imagerySet';
import { bounded, checkMetadata, checkRead } from './harness';
import { mutateBytes, mutateXml, targetFile, type Mutation } from './mutations';
import type { SeedFiles } from './seeds';

const XML_KINDS = new Set<Mutation['k']>(['xmlAttr', 'xmlText', 'xmlDrop', 'xmlDup']);

/** Largest whole-image read a case makes (values x bands); bigger claimed images are read in small windows. */
const WHOLE_READ_LIMIT = 4_000_000;

export function applyRasterMutations(seed: SeedFiles, mutations: Mutation[]): Record<string, Uint8Array> {
  const files = { ...seed.files };
  const names = Object.keys(files);
  for (const m of mutations) {
    if (XML_KINDS.has(m.k)) {
      if (!seed.main.endsWith('.vrt')) continue;
      const text = new TextDecoder().decode(files[seed.main]);
      files[seed.main] = new TextEncoder().encode(mutateXml(text, m));
    } else {
      const name = targetFile(m, names, seed.main);
      files[name] = mutateBytes(files[name], m);
    }
  }
  return files;
}

/** Writes the case into `dir` (a fresh folder per case), opens and reads it; throws PropertyViolation on a breach. */
export async function runRasterCase(seed: SeedFiles, mutations: Mutation[], dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(applyRasterMutations(seed, mutations)))
    await writeFile(path.join(dir, name), bytes);
  const opened = await bounded('opening', () => openImagerySet([path.join(dir, seed.main)]));
  if (!opened.ok) return `refused: ${opened.code}`;
  const source = opened.value;
  try {
    const m = source.metadata;
    checkMetadata(m);
    const { width, height } = m.grid;
    const windows: { window: PixelWindow; bands?: number[] }[] = [
      { window: { x: 0, y: 0, width: Math.min(width, 64), height: Math.min(height, 64) } },
      // Across the bottom-right corner: part inside, part outside the image.
      { window: { x: width - 5, y: height - 3, width: 12, height: 9 }, bands: [m.bandCount - 1] },
    ];
    if (width * height * m.bandCount <= WHOLE_READ_LIMIT)
      windows.push({ window: { x: 0, y: 0, width, height } });
    const codes: string[] = [];
    for (const { window, bands } of windows) {
      const read = await bounded(`reading ${JSON.stringify(window)}`, () =>
        source.readWindow(window, { bands }),
      );
      if (read.ok) checkRead(m, window, bands?.length ?? m.bandCount, read.value);
      else codes.push(read.code);
    }
    return codes.length ? `opened, reads refused: ${codes.join(', ')}` : 'opened and read';
  } finally {
    // A close that fails is a breach too; bounded() throws it, which outranks the reads' result.
    await bounded('closing', () => source.close());
  }
}
