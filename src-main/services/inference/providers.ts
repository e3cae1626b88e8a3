// Execution providers: what this machine offers, and the order to try them in.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  PROVIDER_IDS,
  type ProviderInfo as ApiProviderInfo,
  type ProviderId,
  type ProviderRequest,
} from '../../ipc/contract';

export type { ProviderId, ProviderRequest };

/** The API's provider, and why it is unavailable where it is. */
export interface ProviderInfo extends ApiProviderInfo {
  /** Why not, when unavailable. */
  reason?: string;
}

const LABELS: Record<ProviderId, string> = {
  cpu: 'CPU',
  tensorrt: 'NVIDIA TensorRT',
  cuda: 'NVIDIA CUDA',
  dml: 'DirectML (Windows GPU)',
  coreml: 'Core ML (Apple)',
};

/** GPU providers, best first where several are usable: TensorRT compiles the graph for the card, then CUDA. */
const GPU_PREFERENCE: ProviderId[] = ['tensorrt', 'cuda', 'dml', 'coreml'];

/** The shared libraries a provider needs beside the ONNX Runtime binding (TensorRT's runs on CUDA's). */
const PROVIDER_LIBRARIES: Partial<Record<ProviderId, string[]>> = {
  cuda: ['providers_cuda'],
  tensorrt: ['providers_cuda', 'providers_tensorrt'],
};

/** Whether the ONNX Runtime binding's folder holds `libonnxruntime_<name>.so` or `onnxruntime_<name>.dll`. */
function bindingLibraryPresent(name: string): boolean {
  try {
    const require = createRequire(import.meta.url);
    const binDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(binDir, 'bin', 'napi-v6', process.platform, process.arch);
    return [`libonnxruntime_${name}.so`, `onnxruntime_${name}.dll`].some((f) =>
      existsSync(path.join(dir, f)),
    );
  } catch {
    return false;
  }
}

/**
 * The providers from what ONNX Runtime lists (`listed`: name and whether it is built in) and which provider
 * libraries are installed. A provider that needs a library that is missing is listed as unavailable, with why.
 */
export function providersFrom(
  listed: readonly { name: string; bundled: boolean }[],
  libraryPresent: (name: string) => boolean = bindingLibraryPresent,
): ProviderInfo[] {
  const byName = new Map(listed.map((b) => [b.name, b]));
  const out: ProviderInfo[] = [{ id: 'cpu', label: LABELS.cpu, available: true }];
  for (const id of GPU_PREFERENCE) {
    const entry = byName.get(id);
    if (!entry) continue;
    const missing = entry.bundled ? [] : (PROVIDER_LIBRARIES[id] ?? []).filter((l) => !libraryPresent(l));
    out.push({
      id,
      label: LABELS[id],
      available: missing.length === 0,
      ...(missing.length
        ? {
            reason: `the ONNX Runtime ${missing.length > 1 ? 'libraries' : 'library'} ${missing
              .map((l) => `onnxruntime_${l}`)
              .join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed`,
          }
        : {}),
    });
  }
  return out;
}

/**
 * Providers ONNX Runtime lists on this platform, with availability. ONNX Runtime is loaded here, not by this
 * module: the main thread of a run never needs it (the model runs in the inference worker).
 */
export async function listProviders(): Promise<ProviderInfo[]> {
  const ort = await import('onnxruntime-node');
  return providersFrom(ort.listSupportedBackends());
}

/** The installed ONNX Runtime's version, read from its package (without loading the runtime). */
export function onnxRuntimeVersion(): string {
  return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
}

/**
 * Providers to try, best first; the CPU always last as the fallback. `auto`: every usable GPU provider, best first;
 * TensorRT asked for falls back to CUDA before the CPU.
 */
export function providerOrder(request: ProviderRequest, providers: ProviderInfo[]): ProviderId[] {
  if (request === 'auto') {
    const usable = new Set(providers.filter((p) => p.id !== 'cpu' && p.available).map((p) => p.id));
    return [...GPU_PREFERENCE.filter((id) => usable.has(id)), 'cpu'];
  }
  if (request === 'tensorrt') return ['tensorrt', 'cuda', 'cpu'];
  return request === 'cpu' ? ['cpu'] : [request, 'cpu'];
}

/**
 * The execution providers one session is created with for a provider: TensorRT with CUDA behind it for the nodes
 * TensorRT does not take (ONNX Runtime puts the CPU behind every list itself).
 */
export function sessionProviders(id: ProviderId): ProviderId[] {
  return id === 'tensorrt' ? ['tensorrt', 'cuda'] : [id];
}

export function isGpuProvider(id: ProviderId): boolean {
  return id !== 'cpu';
}

export function isProviderRequest(value: string): value is ProviderRequest {
  return value === 'auto' || (PROVIDER_IDS as readonly string[]).includes(value);
}
