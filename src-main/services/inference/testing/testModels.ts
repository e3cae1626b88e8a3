// The models the tests run, from models/test (committed, small): one home for where they are.
import { fileURLToPath } from 'node:url';

/** The tiny change model's card (its ONNX file beside it): a run of it takes a second. */
export const TINY_CHANGE_CARD = fileURLToPath(
  new URL('../../../../models/test/tiny-change.card.json', import.meta.url),
);
