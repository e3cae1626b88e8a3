#!/usr/bin/env node
// `changemap` from a source checkout (`npx changemap ...`): runs src-main/cli/main.ts through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
