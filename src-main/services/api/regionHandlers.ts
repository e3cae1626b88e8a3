// API handlers of the region channels: thin mapping from the contract to the regions services.
import { getRegion, regionFeatures, setReview } from '../regions/regionRecords';
import { listRegions, regionFacets } from '../regions/listRegions';
import { regionDetail, regionRow } from '../regions/regionView';
import { mapStretchOfRun } from '../preview/runStretch';
import { base64, type DomainHandlers, type HandlerContext } from './handlerTypes';

export function regionHandlers(ctx: HandlerContext): DomainHandlers<'regions:'> {
  const db = () => ctx.requireProject().db;
  return {
    'regions:compute': ({ runId, ...settings }) => ctx.services().regions.compute(runId, settings),
    'regions:list': ({ runId, sort, descending, filters, offset, limit }) => {
      const page = listRegions(db(), {
        runId,
        sort: { key: sort, direction: descending ? 'desc' : 'asc' },
        filters,
        offset,
        limit,
      });
      return { total: page.total, items: page.regions.map(regionRow) };
    },
    'regions:get': ({ fid }) => regionDetail(getRegion(db(), fid)),
    'regions:review': ({ fid, state, note }) => regionRow(setReview(db(), fid, state, note)),
    'regions:spotCheck': async ({ fid }) => {
      const region = getRegion(db(), fid);
      // The map's colour stretch of the run's two dates, so the pictures match the map.
      const services = ctx.services();
      const stretch = await mapStretchOfRun(services, region.runId);
      const images = await services.regions.spotCheck(fid, region.runId, stretch);
      return {
        before: base64(images.before),
        change: base64(images.change),
        after: base64(images.after),
        metresPerPixel: images.metresPerPixel,
      };
    },
    'regions:facets': ({ runId }) => {
      const facets = regionFacets(db(), runId);
      const classes = [...new Set(facets.transitions.flatMap((t) => [t.from, t.to]))].sort();
      return { ...facets, classes };
    },
    'regions:outlines': ({ runId, extent, limit }) =>
      regionFeatures(db(), runId, { bbox: extent, limit }).map((f) => ({
        fid: f.id,
        transition: f.properties.transition ?? 'unclassified',
        reviewState: f.properties.reviewState,
        outline: f.geometry.coordinates as [number, number][][][],
      })),
  };
}
