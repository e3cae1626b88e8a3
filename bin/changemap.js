#!/usr/bin/env node
// `changemap` from a source checkout (`npx changemap ...`): runs src-main/cli/main.ts through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
