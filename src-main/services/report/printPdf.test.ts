import { describe, expect, it } from 'vitest';
import { findPdfEngine, NO_ENGINE_MESSAGE } from './printPdf';

describe('findPdfEngine', () => {
  it('says what to install when no browser engine is found', async () => {
    await expect(
      findPdfEngine({ electron: () => null, chromium: () => Promise.resolve(null) }),
    ).rejects.toMatchObject({ code: 'REPORT_NO_BROWSER', message: NO_ENGINE_MESSAGE });
    expect(NO_ENGINE_MESSAGE).toMatch(/apt-get install chromium/);
    expect(NO_ENGINE_MESSAGE).toMatch(/npx playwright install chromium/);
  });

  it('prefers Electron, else takes Chromium', async () => {
    const both = { electron: () => '/opt/electron', chromium: () => Promise.resolve('/usr/bin/chromium') };
    expect((await findPdfEngine(both)).name).toBe('Electron at /opt/electron');
    const chromiumOnly = { ...both, electron: () => null };
    expect((await findPdfEngine(chromiumOnly)).name).toBe('Chromium at /usr/bin/chromium');
  });
});
