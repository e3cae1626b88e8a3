// `changemap search`: the "Find imagery" panel's search on the command line (the same services/stac code, or
// services/planet for `--planet` with PL_API_KEY), a line per scene or JSON.
import { isChangeMapError } from '../core/errors';
import { stacSearchRequest, type StacScene } from '../ipc/stacSchemas';
import { searchStac } from '../services/stac/stacSearch';
import { planetApiUrl } from '../services/planet/planetApi';
import { PlanetKeyStore } from '../services/planet/planetKeyStore';
import { searchPlanet } from '../services/planet/planetSearch';
import { EXIT } from './exitCodes';

export interface SearchOptions {
  /** A STAC API's address; or `planet` for Planet's Data API (then `collections` are item types). */
  stac?: string;
  planet?: boolean;
  collections: string[];
  bbox: [number, number, number, number];
  from: string;
  to: string;
  maxCloud?: number;
  limit?: number;
  json: boolean;
}

export async function searchCommand(o: SearchOptions): Promise<number> {
  if (Boolean(o.stac) === Boolean(o.planet))
    return refuse(o.json, 'VALIDATION', 'Give either --stac URL or --planet, not both or neither.');
  // The command line has no OS secure storage: Planet's key comes from PL_API_KEY (Planet's own convention).
  const planetKey = o.planet ? new PlanetKeyStore().key() : null;
  if (o.planet && !planetKey)
    return refuse(
      o.json,
      'PLANET_NO_KEY',
      'Planet needs your API key: set PL_API_KEY to the key shown in your Planet account settings.',
    );
  const query = stacSearchRequest.safeParse({
    apiUrl: o.planet ? planetApiUrl() : o.stac,
    collections: o.collections,
    bbox: o.bbox,
    from: o.from,
    to: o.to,
    maxCloudCover: o.maxCloud,
    limit: o.limit,
  });
  if (!query.success)
    return refuse(o.json, 'VALIDATION', query.error.issues[0]?.message ?? 'Invalid search.');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = planetKey
      ? await searchPlanet(query.data, planetKey, { signal: controller.signal })
      : await searchStac(query.data, { signal: controller.signal });
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      for (const s of result.scenes) process.stdout.write(`${sceneLine(s)}\n`);
      const more = result.truncated ? ' (more match: narrow the search or raise --limit)' : '';
      process.stderr.write(`${result.scenes.length} scene${result.scenes.length === 1 ? '' : 's'}${more}\n`);
    }
    return 0;
  } catch (error) {
    if (!isChangeMapError(error)) throw error;
    if (error.code === 'STAC_CANCELLED') return EXIT.cancelled;
    return refuse(o.json, error.code, error.message, EXIT.failed);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function sceneLine(s: StacScene): string {
  const cloud = s.cloudCover === null ? '   -' : `${s.cloudCover.toFixed(0).padStart(3)}%`;
  const gsd = s.gsdM === null ? '    -' : `${String(s.gsdM).padStart(3)} m`;
  const image = s.asset
    ? s.asset.href
    : s.unusable
      ? `(unusable: ${s.unusable})`
      : `(bands: ${(s.bands ?? []).map((b) => b.commonName).join(',')})`;
  return `${(s.datetime ?? '-').slice(0, 10)}  ${cloud}  ${gsd}  ${s.collection ?? '-'}  ${s.id}  ${s.itemUrl ?? '-'}  ${image}`;
}

function refuse(json: boolean, code: string, message: string, exit: number = EXIT.refused): number {
  if (json) process.stdout.write(`${JSON.stringify({ type: 'search:refused', code, message })}\n`);
  else process.stderr.write(`changemap: ${message} [${code}]\n`);
  return exit;
}
