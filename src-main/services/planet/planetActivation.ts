// A Planet asset must be activated before it can be downloaded: read the item's assets, ask for activation (its
// `activate` link), then poll until Planet says `active` and gives the download `location`. Planet takes seconds to
// minutes; the wait says where it stands, can be cancelled (Planet goes on activating, and the next try picks the
// asset up where it is), and gives up after a bound with one sentence.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ChangeMapError } from '../../core/errors';
import {
  planetJson,
  planetPollMs,
  planetRequest,
  PlanetRateLimitError,
  type PlanetRequestOptions,
} from './planetApi';

export type PlanetAssetStatus = 'inactive' | 'activating' | 'active';

export interface ActivationOptions extends PlanetRequestOptions {
  /** First wait between two looks; each later wait is half again as long, up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** How long to wait for `active` in all before giving up. */
  maxWaitMs?: number;
  onStatus?: (status: PlanetAssetStatus) => void;
}

const httpUrl = z.string().regex(/^https?:\/\//i);
const planetAsset = z
  .object({
    status: z.enum(['inactive', 'activating', 'active']),
    location: httpUrl.optional(),
    _links: z.object({ activate: httpUrl.optional() }).passthrough().optional(),
    _permissions: z.array(z.string()).optional(),
  })
  .passthrough();

/** Activates `assetType` of the item whose assets are listed at `assetsUrl`; resolves with its download address. */
export async function activatePlanetAsset(
  assetsUrl: string,
  assetType: string,
  key: string,
  options: ActivationOptions = {},
): Promise<string> {
  const maxWaitMs = options.maxWaitMs ?? 20 * 60_000;
  const maxPollMs = options.maxPollMs ?? 30_000;
  let pollMs = options.pollMs ?? planetPollMs(options.env);
  const startedAt = Date.now();
  let asked = false;
  for (;;) {
    let waitMs = pollMs;
    try {
      const asset = await readAsset(assetsUrl, assetType, key, options);
      options.onStatus?.(asset.status);
      if (asset.status === 'active' && asset.location) return asset.location;
      if (asset.status === 'inactive' && !asked) {
        const activate = asset._links?.activate;
        if (!activate) throw noActivation(assetType);
        // 202: activation started; 204: it already was.
        const response = await planetRequest(
          { url: activate, method: 'POST' },
          key,
          `the activation of ${assetType}`,
          options,
        );
        await response.body?.cancel();
        asked = true;
      }
    } catch (error) {
      // Planet limits how often assets may be read and activated: wait as long as it asks, then look again.
      if (!(error instanceof PlanetRateLimitError)) throw error;
      waitMs = Math.max(pollMs, (error.retryAfterS ?? 60) * 1000);
      if (Date.now() - startedAt + waitMs > maxWaitMs) throw error;
    }
    if (Date.now() - startedAt + waitMs > maxWaitMs) {
      throw new ChangeMapError(
        'PLANET_ACTIVATION_TIMEOUT',
        `Planet was still preparing ${assetType} after ${maxWaitMs >= 120_000 ? `${Math.round(maxWaitMs / 60_000)} min` : `${Math.round(maxWaitMs / 1000)} s`}; try again later (Planet goes on preparing it).`,
      );
    }
    try {
      await sleep(waitMs, undefined, { signal: options.signal });
    } catch {
      throw new ChangeMapError(
        'STAC_CANCELLED',
        `The wait for Planet to prepare ${assetType} was stopped; Planet goes on preparing it, and the next try picks it up.`,
      );
    }
    pollMs = Math.min(maxPollMs, Math.round(pollMs * 1.5));
  }
}

async function readAsset(
  assetsUrl: string,
  assetType: string,
  key: string,
  options: PlanetRequestOptions,
): Promise<z.infer<typeof planetAsset>> {
  const json = await planetJson({ url: assetsUrl }, key, "the scene's images", options);
  const entry = json && typeof json === 'object' ? (json as Record<string, unknown>)[assetType] : undefined;
  if (entry === undefined) {
    throw new ChangeMapError(
      'PLANET_ASSET_MISSING',
      `Planet has no ${assetType} image for this scene; pick another scene.`,
    );
  }
  const asset = planetAsset.safeParse(entry);
  if (!asset.success) {
    throw new ChangeMapError(
      'PLANET_BAD_RESPONSE',
      `Planet described the ${assetType} image in a form ChangeMap does not know; try again later.`,
    );
  }
  if (asset.data._permissions && !asset.data._permissions.includes('download')) {
    throw new ChangeMapError(
      'PLANET_NO_PERMISSION',
      `Your Planet account may not download the ${assetType} image of this scene; pick another scene or check your plan.`,
    );
  }
  return asset.data;
}

function noActivation(assetType: string): ChangeMapError {
  return new ChangeMapError(
    'PLANET_BAD_RESPONSE',
    `Planet gave no way to activate the ${assetType} image (no "activate" link); try again later.`,
  );
}
