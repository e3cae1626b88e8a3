// Execution providers: what this machine offers, and the order to try them in.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ProviderInfo as ApiProviderInfo, ProviderId, ProviderRequest } from '../../ipc/contract';

export type { ProviderId, ProviderRequest };

/** The API's provider, and why it is unavailable where it is. */
export interface ProviderInfo extends ApiProviderInfo {
  /** Why not, when unavailable. */
  reason?: string;
}

const LABELS: Record<ProviderId, string> = {
  cpu: 'CPU',
  cuda: 'NVIDIA CUDA',
  dml: 'DirectML (Windows GPU)',
  coreml: 'Core ML (Apple)',
};

/** The CUDA provider is a separate shared library next to the ONNX Runtime binding; without it CUDA cannot load. */
function cudaLibraryPresent(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const binDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(binDir, 'bin', 'napi-v6', process.platform, process.arch);
    return ['libonnxruntime_providers_cuda.so', 'onnxruntime_providers_cuda.dll'].some((f) =>
      existsSync(path.join(dir, f)),
    );
  } catch {
    return false;
  }
}

/** Providers ONNX Runtime lists on this platform, with availability. */
export function listProviders(): ProviderInfo[] {
  const listed = new Map(ort.listSupportedBackends().map((b) => [b.name, b]));
  const out: ProviderInfo[] = [{ id: 'cpu', label: LABELS.cpu, available: true }];
  if (listed.has('cuda')) {
    const ok = listed.get('cuda')!.bundled || cudaLibraryPresent();
    out.push({
      id: 'cuda',
      label: LABELS.cuda,
      available: ok,
      ...(ok ? {} : { reason: 'the ONNX Runtime CUDA provider library is not installed' }),
    });
  }
  if (listed.has('dml')) out.push({ id: 'dml', label: LABELS.dml, available: true });
  if (listed.has('coreml')) out.push({ id: 'coreml', label: LABELS.coreml, available: true });
  return out;
}

/** Providers to try, best first; the CPU always last as the fallback. */
export function providerOrder(request: ProviderRequest, providers = listProviders()): ProviderId[] {
  if (request === 'auto') {
    const gpu = providers.filter((p) => p.id !== 'cpu' && p.available).map((p) => p.id);
    return [...gpu, 'cpu'];
  }
  return request === 'cpu' ? ['cpu'] : [request, 'cpu'];
}

export function isProviderRequest(value: string): value is ProviderRequest {
  return ['auto', 'cpu', 'cuda', 'dml', 'coreml'].includes(value);
}
