// Every file the packaging config (electron-builder.yml) and the app's window refer to exists, is a valid image
// of the size its platform needs, and is the current drawing (scripts/icons/appIcon.ts via `npm run icons`).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { iconPng, PNG_SIZES } from './make-icons';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
// js-yaml is what electron-builder itself reads its YAML config with; its types are not installed.
const yaml = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  directories: { buildResources: string };
  extraResources: { from: string; to: string }[];
  linux: { icon: string };
  win: { icon: string };
  mac: { icon: string };
}
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const resolve = (file: string) => path.join(root, file);

/** Width and height of a PNG, after decoding it whole (so a damaged file fails here). */
function pngSize(bytes: Uint8Array): [number, number] {
  const png = decode(bytes);
  return [png.width, png.height];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const isPng = (bytes: Uint8Array) => PNG_SIGNATURE.every((b, i) => bytes[i] === b);

/** The images of an .ico file: [width, height] of each, checked against its own directory. */
function icoImages(file: string): [number, number][] {
  const bytes = readFileSync(file);
  expect(bytes.readUInt16LE(0)).toBe(0); // reserved
  expect(bytes.readUInt16LE(2)).toBe(1); // type: icon
  const count = bytes.readUInt16LE(4);
  const images: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const entry = 6 + i * 16;
    const width = bytes[entry] || 256;
    const height = bytes[entry + 1] || 256;
    const size = bytes.readUInt32LE(entry + 8);
    const offset = bytes.readUInt32LE(entry + 12);
    expect(offset + size).toBeLessThanOrEqual(bytes.length);
    const data = bytes.subarray(offset, offset + size);
    if (isPng(data)) {
      expect(pngSize(data)).toEqual([width, height]);
    } else {
      // A DIB: BITMAPINFOHEADER, its height counting the AND mask too.
      expect(data.readUInt32LE(0)).toBe(40);
      expect([data.readInt32LE(4), data.readInt32LE(8)]).toEqual([width, height * 2]);
    }
    images.push([width, height]);
  }
  return images;
}

/** The PNG chunks of an .icns file by type (ic07 128 px ... ic10 1024 px), after checking every chunk's length. */
function icnsPngs(file: string): Map<string, [number, number]> {
  const bytes = readFileSync(file);
  expect(bytes.toString('latin1', 0, 4)).toBe('icns');
  expect(bytes.readUInt32BE(4)).toBe(bytes.length);
  const pngs = new Map<string, [number, number]>();
  for (let at = 8; at < bytes.length;) {
    const type = bytes.toString('latin1', at, at + 4);
    const length = bytes.readUInt32BE(at + 4);
    expect(length).toBeGreaterThan(8);
    expect(at + length).toBeLessThanOrEqual(bytes.length);
    const data = bytes.subarray(at + 8, at + length);
    if (isPng(data)) pngs.set(type, pngSize(data));
    at += length;
  }
  return pngs;
}

describe('packaging resources', () => {
  it('keeps build resources in the top-level resources/ folder', () => {
    expect(config.directories.buildResources).toBe('resources');
    expect(statSync(resolve('resources')).isDirectory()).toBe(true);
    expect(pngSize(readFileSync(resolve('resources/icon.png')))).toEqual([1024, 1024]);
  });

  it('Linux: a set of square PNG icons named by their size, up to 1024 px', () => {
    const dir = resolve(config.linux.icon);
    const files = readdirSync(dir).filter((f) => f.endsWith('.png'));
    expect(files.sort()).toEqual(PNG_SIZES.map((s) => `${s}x${s}.png`).sort());
    for (const f of files) {
      const size = Number(f.split('x')[0]);
      expect(pngSize(readFileSync(path.join(dir, f))), f).toEqual([size, size]);
    }
  });

  it('Windows: an .ico with every size from 16 to 256 px', () => {
    const sizes = icoImages(resolve(config.win.icon)).map(([w, h]) => (w === h ? w : -1));
    expect(sizes).toEqual(expect.arrayContaining([16, 24, 32, 48, 64, 128, 256]));
  });

  it('macOS: an .icns holding the 512 and 1024 px images', () => {
    const pngs = icnsPngs(resolve(config.mac.icon));
    expect(pngs.get('ic09')).toEqual([512, 512]);
    expect(pngs.get('ic10')).toEqual([1024, 1024]);
  });

  it('every extra resource exists; the window icon is a PNG the app finds beside it', () => {
    for (const { from } of config.extraResources) expect(existsSync(resolve(from)), from).toBe(true);
    const windowIcon = config.extraResources.find((r) => r.to === 'window-icon.png');
    expect(windowIcon).toBeDefined();
    expect(pngSize(readFileSync(resolve(windowIcon!.from)))).toEqual([256, 256]);
    const main = readFileSync(resolve('src-main/app/main.ts'), 'utf8');
    expect(main).toContain("'window-icon.png'");
    expect(main).toContain(`'${path.basename(windowIcon!.from)}'`);
  });

  it('the icon files are the current drawing (run `npm run icons` after changing it)', () => {
    for (const size of [16, 32, 48]) {
      const file = decode(readFileSync(resolve(`${config.linux.icon}/${size}x${size}.png`)));
      expect(Buffer.from(file.data).equals(Buffer.from(decode(iconPng(size)).data)), `${size} px`).toBe(true);
    }
  });
});
