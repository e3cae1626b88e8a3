// GPU providers without a GPU (issue 15): which are offered and in what order, the fallback when one cannot load,
// and chips per batch from the device's memory. Where a device is at hand, `npm run bench -- runs --provider cuda`
// measures it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchSizeForBudget } from '../../core/tiling/chunkPlan';
import {
  ASSUMED_DEVICE_MEMORY,
  deviceBatchSize,
  freeDeviceMemory,
  parseNvidiaSmiFreeMiB,
} from './deviceMemory';
import { ChangeDetector } from './onnxModel';
import { isProviderRequest, providerOrder, providersFrom, sessionProviders } from './providers';

const tinyCard = fileURLToPath(new URL('../../../models/test/tiny-change.card.json', import.meta.url));

describe('GPU providers offered', () => {
  const linux = [
    { name: 'cpu', bundled: true },
    { name: 'webgpu', bundled: true },
    { name: 'cuda', bundled: false },
    { name: 'tensorrt', bundled: false },
  ];

  it('offers CUDA and TensorRT only with their libraries, and says which is missing', () => {
    const none = providersFrom(linux, () => false);
    expect(none.map((p) => [p.id, p.available])).toEqual([
      ['cpu', true],
      ['tensorrt', false],
      ['cuda', false],
    ]);
    expect(none[1].reason).toMatch(/onnxruntime_providers_cuda and onnxruntime_providers_tensorrt/);
    const cudaOnly = providersFrom(linux, (lib) => lib === 'providers_cuda');
    expect(cudaOnly.filter((p) => p.available).map((p) => p.id)).toEqual(['cpu', 'cuda']);
    expect(cudaOnly.find((p) => p.id === 'tensorrt')!.reason).toMatch(/providers_tensorrt is not/);
  });

  it('offers DirectML and Core ML where ONNX Runtime has them built in', () => {
    const windows = providersFrom(
      [
        { name: 'cpu', bundled: true },
        { name: 'dml', bundled: true },
      ],
      () => false,
    );
    expect(windows.map((p) => [p.id, p.available])).toEqual([
      ['cpu', true],
      ['dml', true],
    ]);
    const mac = providersFrom(
      [
        { name: 'cpu', bundled: true },
        { name: 'coreml', bundled: true },
      ],
      () => false,
    );
    expect(providerOrder('auto', mac)).toEqual(['coreml', 'cpu']);
  });

  it('tries TensorRT, then CUDA, then the CPU', () => {
    const all = providersFrom(linux, () => true);
    expect(providerOrder('auto', all)).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(providerOrder('tensorrt', all)).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(providerOrder('cuda', all)).toEqual(['cuda', 'cpu']);
    expect(providerOrder('cpu', all)).toEqual(['cpu']);
    expect(
      providerOrder(
        'auto',
        providersFrom(linux, () => false),
      ),
    ).toEqual(['cpu']);
    expect(sessionProviders('tensorrt')).toEqual(['tensorrt', 'cuda']);
    expect(sessionProviders('dml')).toEqual(['dml']);
    expect(isProviderRequest('tensorrt')).toBe(true);
    expect(isProviderRequest('rocm')).toBe(false);
  });

  it('falls back to the CPU with a warning per provider that failed to load', async () => {
    const model = await ChangeDetector.load(tinyCard, { provider: 'tensorrt', threads: 1 });
    try {
      expect(model.providerUsed).toBe('cpu');
      expect(model.model.warnings).toEqual([
        expect.stringMatching(/^The tensorrt provider failed to load .*falling back\.$/),
        expect.stringMatching(/^The cuda provider failed to load .*falling back\.$/),
      ]);
    } finally {
      await model.dispose();
    }
  });
});

describe('batch from device memory', () => {
  it('reads nvidia-smi for CUDA and TensorRT, and nothing for the others', () => {
    expect(parseNvidiaSmiFreeMiB('80537\n')).toBe(80537);
    expect(parseNvidiaSmiFreeMiB('[N/A]\n')).toBeNull();
    expect(parseNvidiaSmiFreeMiB('')).toBeNull();
    const calls: string[] = [];
    const smi = (command: string, args: string[]) => {
      calls.push([command, ...args].join(' '));
      return '40000\n1000\n';
    };
    expect(freeDeviceMemory('cuda', smi)).toBe(40000 * 2 ** 20);
    expect(freeDeviceMemory('tensorrt', smi)).toBe(40000 * 2 ** 20);
    expect(freeDeviceMemory('dml', smi)).toBeNull();
    expect(calls).toEqual(Array(2).fill('nvidia-smi --query-gpu=memory.free --format=csv,noheader,nounits'));
    const missing = () => {
      throw new Error('spawn nvidia-smi ENOENT');
    };
    expect(freeDeviceMemory('cuda', missing)).toBeNull();
  });

  it('fills half the free device memory, or assumes 2 GiB', () => {
    expect(deviceBatchSize(16 * 2 ** 30, 3, 512)).toBe(batchSizeForBudget(8 * 2 ** 30, 3, 512));
    expect(deviceBatchSize(16 * 2 ** 30, 3, 512)).toBeGreaterThan(deviceBatchSize(null, 3, 512));
    expect(deviceBatchSize(null, 3, 256)).toBe(batchSizeForBudget(ASSUMED_DEVICE_MEMORY / 2, 3, 256));
  });
});
