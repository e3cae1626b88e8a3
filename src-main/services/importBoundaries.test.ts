// The lint rules that keep the services' imports pointing one way do fire: a domain folder importing api/ (even
// as types), and a cycle through the session. `npx eslint src-main` applies them to the whole tree.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function rulesHit(file: string, text: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
  return result.messages.map((m) => m.ruleId);
}

describe('import boundaries of src-main/services', () => {
  it('refuse a domain folder importing the API handlers or the session', async () => {
    const text =
      "import type { HandlerContext } from '../api/handlerTypes';\nexport type C = HandlerContext;\n";
    expect(await rulesHit('src-main/services/preview/example.ts', text)).toContain('no-restricted-imports');
    const session = "import { AppSession } from '../session';\nexport const s = AppSession;\n";
    expect(await rulesHit('src-main/services/regions/example.ts', session)).toContain(
      'no-restricted-imports',
    );
  });

  it('refuse an import cycle', async () => {
    // session.ts imports api/exportHandlers.ts; importing the session back closes a cycle.
    const text = "import { AppSession } from '../session';\nexport const s = AppSession;\n";
    expect(await rulesHit('src-main/services/api/exportHandlers.ts', text)).toContain('import-x/no-cycle');
  });

  it('let the domain folders import each other and core/', async () => {
    const text =
      "import { fileFingerprint } from '../imagery/fileFingerprint';\nexport const f = fileFingerprint;\n";
    expect(await rulesHit('src-main/services/preview/example.ts', text)).toEqual([]);
  });
});
