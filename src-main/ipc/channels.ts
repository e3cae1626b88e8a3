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
  'fs:list',
] as const;

export const EVENT_NAMES = ['project:changed', 'log:warning'] as const;

export type Channel = (typeof CHANNELS)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Prefix of Electron IPC channel names. */
export const IPC_PREFIX = 'changemap:';
/** The one IPC channel events travel on, main -> renderer. */
export const IPC_EVENT_CHANNEL = 'changemap:event';
