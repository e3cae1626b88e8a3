// The renderer's readiness signals (src-renderer/src/lib/signals.ts), as seen from page.evaluate callbacks.
interface Window {
  __changemapSignals?: string[];
}
