// Runs before each renderer test file: a window with the fake services' bridge, installed before lib/api.ts picks
// its transport.
import { services } from './fakeServices';

const fakeWindow = Object.assign(new EventTarget(), { changemap: services.bridge });
(globalThis as unknown as { window: unknown }).window = fakeWindow;
