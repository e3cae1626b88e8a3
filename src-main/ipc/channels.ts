// Channel and event names only, free of any library: the sandboxed preload bundles this module and nothing else.
export const CHANNELS = [
  'app:info',
  'project:create',
  'project:open',
  'project:close',
  'project:current',
  'project:setMapView',
  'project:getMapView',
  'recent:list',
  'recent:remove',
  'dialog:pickProjectPath',
  'dialog:pickFiles',
  'dialog:pickSavePath',
  'fs:list',
  // imagery
  'imagery:get',
  'imagery:setFiles',
  'imagery:clear',
  'imagery:setBandRoles',
  'imagery:previewTile',
  'imagery:setAcquiredAt',
  'imagery:setPixelSize',
  'imagery:addDate',
  'imagery:setDateFiles',
  'imagery:removeDate',
  // models and runs
  'models:list',
  'models:add',
  'models:choose',
  'providers:list',
  'run:start',
  'run:cancel',
  'run:resume',
  'run:get',
  'run:list',
  'run:probabilityTile',
  'run:startBatch',
  'run:history',
  'run:compare',
  // regions
  'regions:compute',
  'regions:list',
  'regions:get',
  'regions:review',
  'regions:spotCheck',
  'regions:outlines',
  'regions:facets',
  // exports
  'export:regions',
  'export:raster',
  // boundary layers (parcels, districts) and the join of regions to them
  'boundaries:add',
  'boundaries:list',
  'boundaries:remove',
  'boundaries:setLabelField',
  'boundaries:features',
  'boundaries:feature',
  'boundaries:outlines',
  'boundaries:join',
  'boundaries:exportSummary',
  // imagery catalogues (STAC APIs)
  'stac:catalogues',
  'stac:search',
  'stac:cancel',
  'stac:useScenes',
  'stac:thumbnail',
  // Planet's Data API key (its search goes through stac:search with Planet's address)
  'planet:status',
  'planet:setKey',
  'planet:clearKey',
  // accuracy assessment and report
  'accuracy:draw',
  'accuracy:get',
  'accuracy:label',
  'accuracy:spotCheck',
  'accuracy:export',
  'accuracy:byFeature',
  'report:make',
  // the project's own basemaps
  'basemaps:list',
  'basemaps:add',
  'basemaps:remove',
  'basemaps:tile',
] as const;

export const EVENT_NAMES = [
  'project:changed',
  'log:warning',
  'imagery:changed',
  'imagery:previewProgress',
  'run:started',
  'run:chunk',
  'run:progress',
  'run:done',
  'run:failed',
  'run:cancelled',
  'regions:changed',
  'regions:failed',
  'boundaries:changed',
  'boundaries:joinProgress',
  'stac:downloadProgress',
] as const;

export type Channel = (typeof CHANNELS)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Prefix of Electron IPC channel names. */
export const IPC_PREFIX = 'changemap:';
/** The one IPC channel events travel on, main -> renderer. */
export const IPC_EVENT_CHANNEL = 'changemap:event';
