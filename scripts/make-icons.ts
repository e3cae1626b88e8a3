// Writes every icon file in resources/ from the one drawing (scripts/icons/appIcon.ts): `npm run icons`.
// - resources/icons/NxN.png: the PNG set electron-builder uses for Linux (AppImage, deb) and the window icon;
// - resources/icon.png (1024 px): electron-builder's default source;
// - resources/icon.ico (Windows, NSIS) and resources/icon.icns (macOS, dmg), made by png2icons from the 1024 px PNG.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from 'fast-png';
import png2icons from 'png2icons';
import { drawAppIcon } from './icons/appIcon';

export const RESOURCES_DIR = path.resolve(import.meta.dirname, '..', 'resources');
/** Sizes of the Linux PNG set (freedesktop's hicolor sizes, up to 1024 for HiDPI docks). */
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;

export function iconPng(size: number): Uint8Array {
  return encode({ width: size, height: size, data: drawAppIcon(size), channels: 4, depth: 8 });
}

function main(): void {
  mkdirSync(path.join(RESOURCES_DIR, 'icons'), { recursive: true });
  for (const size of PNG_SIZES) {
    writeFileSync(path.join(RESOURCES_DIR, 'icons', `${size}x${size}.png`), iconPng(size));
  }
  const large = Buffer.from(iconPng(1024));
  writeFileSync(path.join(RESOURCES_DIR, 'icon.png'), large);
  const ico = png2icons.createICO(large, png2icons.BICUBIC2, 0, false, true);
  const icns = png2icons.createICNS(large, png2icons.BICUBIC2, 0);
  if (!ico || !icns) throw new Error('png2icons could not make the .ico or .icns');
  writeFileSync(path.join(RESOURCES_DIR, 'icon.ico'), ico);
  writeFileSync(path.join(RESOURCES_DIR, 'icon.icns'), icns);
  console.log(`icons written to ${RESOURCES_DIR}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
