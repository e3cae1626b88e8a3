// Named readiness signals ("project:loaded", "run:done", ...). End-to-end tests wait on these, never on sleeps.
declare global {
  interface Window {
    __changemapSignals?: string[];
  }
}

export function signal(name: string): void {
  (window.__changemapSignals ??= []).push(name);
  window.dispatchEvent(new CustomEvent('changemap:signal', { detail: name }));
}
