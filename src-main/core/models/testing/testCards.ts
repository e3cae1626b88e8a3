// Model cards for tests, in one place: a valid change-detection card with every field the schema asks for, so a
// test names only what it is about.

/**
 * The JSON of a valid change-detection card, before parsing: RGB, 0.5-20 m pixels, chips of `chipSize` (256 unless
 * the overrides give one; the input and output shapes follow it), threshold 0.15. `overrides` replace fields.
 */
export function changeCardJson(overrides: Record<string, unknown> = {}) {
  const chip = typeof overrides.chipSize === 'number' ? overrides.chipSize : 256;
  const tensor = (name: string, channels: number) => ({
    name,
    shape: ['batch', channels, chip, chip],
    dtype: 'float32',
  });
  return {
    schema: 'changemap.model-card/1',
    name: 'change',
    version: '1.0.0',
    description: 'test',
    file: 'm.onnx',
    sha256: 'a'.repeat(64),
    bands: ['red', 'green', 'blue'],
    normalisation: { unitScaling: 'datatype', mean: [0, 0, 0], std: [1, 1, 1] },
    gsdRangeM: [0.5, 20],
    training: { data: [], licence: 'test', command: '', runtime: '' },
    accuracy: {},
    task: 'change-detection',
    inputs: [tensor('before', 3), tensor('after', 3)],
    outputs: [tensor('change_prob', 1)],
    chipSize: chip,
    threshold: 0.15,
    ...overrides,
  };
}
