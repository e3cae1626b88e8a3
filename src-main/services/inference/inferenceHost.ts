// The inference side of the worker protocol: owns one ChangeDetector and answers requests in order.
import { isChangeMapError } from '../../core/errors';
import type { InferenceReply, InferenceRequest, PortLike } from './inferenceProtocol';
import { ChangeDetector } from './onnxModel';

export function serveInference(port: PortLike): void {
  let detector: ChangeDetector | null = null;
  // Requests are handled one at a time so a session never runs two batches at once.
  let queue: Promise<void> = Promise.resolve();

  const reply = (message: InferenceReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);

  async function handle(request: InferenceRequest): Promise<void> {
    try {
      switch (request.type) {
        case 'load': {
          await detector?.dispose();
          detector = await ChangeDetector.load(request.cardPath, {
            provider: request.provider,
            threads: request.threads,
          });
          const { card, model } = detector;
          reply({
            seq: request.seq,
            ok: true,
            value: {
              name: card.name,
              version: card.version,
              sha256: model.sha256,
              chipSize: card.chipSize,
              bands: card.bands.length,
              bandRoles: card.bands,
              mean: card.normalisation.mean,
              std: card.normalisation.std,
              threshold: card.threshold,
              gsdRangeM: card.gsdRangeM,
              providerUsed: model.providerUsed,
              warnings: model.warnings,
            },
          });
          return;
        }
        case 'predict': {
          if (!detector) throw new Error('No model is loaded.');
          const started = performance.now();
          const out = await detector.predict(request.before, request.after, request.n);
          const millis = performance.now() - started;
          // ORT may hand back a view of a larger buffer; copy only then, so the transfer moves exactly the result.
          const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
          reply({ seq: request.seq, ok: true, value: { probability: own, millis } }, [
            own.buffer as ArrayBuffer,
          ]);
          return;
        }
        case 'dispose':
          await detector?.dispose();
          detector = null;
          reply({ seq: request.seq, ok: true, value: null });
          return;
      }
    } catch (error) {
      reply({
        seq: request.seq,
        ok: false,
        error: isChangeMapError(error)
          ? { code: error.code, message: error.message }
          : { code: 'INFERENCE_FAILED', message: (error as Error)?.message ?? String(error) },
      });
    }
  }

  port.on('message', (message) => {
    const request = message as InferenceRequest;
    queue = queue.then(() => handle(request));
  });
}
