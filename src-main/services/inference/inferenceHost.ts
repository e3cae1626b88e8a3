// The inference side of the worker protocol: owns one ChangeDetector and answers requests in order, so a session
// never runs two batches at once (ipc/rpc.ts carries the calls).
import { serveRpc, Transferred, type RpcPort } from '../../ipc/rpc';
import type { LoadedInfo, LoadRequest, PredictRequest, PredictResult } from './inferenceProtocol';
import { ChangeDetector, defaultInferenceThreads } from './onnxModel';

export function serveInference(port: RpcPort): void {
  let detector: ChangeDetector | null = null;
  serveRpc(
    port,
    {
      load: async (raw): Promise<LoadedInfo> => {
        const request = raw as unknown as LoadRequest;
        await detector?.dispose();
        detector = await ChangeDetector.load(request.cardPath, {
          provider: request.provider,
          threads: request.threads,
          variantFile: request.variantFile,
        });
        const { card, model } = detector;
        return {
          name: card.name,
          version: card.version,
          sha256: model.sha256,
          precision: model.precision,
          chipSize: card.chipSize,
          chipSizes: card.chipSizes,
          bands: card.bands.length,
          bandRoles: card.bands,
          mean: card.normalisation.mean,
          std: card.normalisation.std,
          fill: card.normalisation.fill,
          threshold: card.threshold,
          gsdRangeM: card.gsdRangeM,
          providerUsed: model.providerUsed,
          threads: request.threads ?? defaultInferenceThreads(),
          warnings: model.warnings,
        };
      },
      predict: async (raw): Promise<Transferred<PredictResult>> => {
        const request = raw as unknown as PredictRequest;
        if (!detector) throw new Error('No model is loaded.');
        const started = performance.now();
        const out = await detector.predict(request.before, request.after, request.n);
        const millis = performance.now() - started;
        // ORT may hand back a view of a larger buffer; copy only then, so the transfer moves exactly the result.
        const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
        return new Transferred({ probability: own, millis }, [own.buffer as ArrayBuffer]);
      },
      dispose: async () => {
        await detector?.dispose();
        detector = null;
        return null;
      },
    },
    { sequential: true, failureCode: 'INFERENCE_FAILED' },
  );
}
