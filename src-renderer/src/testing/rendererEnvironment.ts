// The renderer's test environment: plain Node, but modules are transformed as for the browser (Vite's client
// environment), so Svelte compiles the stores' runes for the client and its browser runtime runs their effects.
// (Node's own environment would compile them for server rendering, where $effect never runs.)
import type { Environment } from 'vitest/runtime';
import { builtinEnvironments } from 'vitest/runtime';

const rendererEnvironment: Environment = {
  name: 'renderer',
  viteEnvironment: 'client',
  setup: (global, options) => builtinEnvironments.node.setup(global, options),
};

export default rendererEnvironment;
