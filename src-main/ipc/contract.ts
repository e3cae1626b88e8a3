// The one API contract: every channel's name, request schema and result type, and the typed events.
// Main (IPC), the browser host, the preload, the command line and the renderer all derive from this module.
// The renderer imports it for types and schemas only; it holds no Node code.
import { z } from 'zod';
import { CHANNELS, EVENT_NAMES, type Channel, type EventName } from './channels';

export {
  CHANNELS,
  EVENT_NAMES,
  IPC_EVENT_CHANNEL,
  IPC_PREFIX,
  type Channel,
  type EventName,
} from './channels';

const filePath = z
  .string()
  .min(1, 'A file path is required.')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'A file path must not contain NUL characters.');

export const projectSummary = z.object({
  path: z.string(),
  name: z.string(),
  createdAt: z.string(),
  schemaVersion: z.number(),
  readOnly: z.boolean(),
  dataDir: z.string(),
});
export type ProjectSummary = z.infer<typeof projectSummary>;

export interface RecentProject {
  path: string;
  name: string;
  lastOpenedAt: string;
  /** False when the file is gone: shown as missing, removable. */
  exists: boolean;
}

export interface DirectoryListing {
  dir: string;
  parent: string | null;
  entries: { name: string; path: string; kind: 'dir' | 'file' }[];
}

export interface MapView {
  center: [number, number];
  zoom: number;
}

export interface AppInfo {
  version: string;
  transport: 'electron' | 'browser' | 'in-process';
  platform: string;
  /** True where the shell can show native open/save dialogs (Electron). */
  nativeDialogs: boolean;
  homeDir: string;
}

/** Request schemas, one per channel. */
export const requests = {
  'app:info': z.object({}).strict(),
  'project:create': z.object({ path: filePath, name: z.string().max(200).optional() }).strict(),
  'project:open': z.object({ path: filePath }).strict(),
  'project:close': z.object({}).strict(),
  'project:current': z.object({}).strict(),
  'project:setMapView': z
    .object({
      center: z.tuple([z.number().finite(), z.number().finite()]),
      zoom: z.number().finite().min(0).max(30),
    })
    .strict(),
  'project:getMapView': z.object({}).strict(),
  'recent:list': z.object({}).strict(),
  'recent:remove': z.object({ path: filePath }).strict(),
  'dialog:pickProjectPath': z.object({ mode: z.enum(['save', 'open']) }).strict(),
  'fs:list': z
    .object({ dir: filePath.optional(), extensions: z.array(z.string().max(16)).max(16).optional() })
    .strict(),
} satisfies Record<Channel, z.ZodType>;

/** Result type of each channel. */
export interface Results {
  'app:info': AppInfo;
  'project:create': ProjectSummary;
  'project:open': ProjectSummary;
  'project:close': null;
  'project:current': ProjectSummary | null;
  'project:setMapView': null;
  'project:getMapView': MapView | null;
  'recent:list': RecentProject[];
  'recent:remove': RecentProject[];
  'dialog:pickProjectPath': string | null;
  'fs:list': DirectoryListing;
}

export type Request<C extends Channel> = z.input<(typeof requests)[C]>;
export type ParsedRequest<C extends Channel> = z.output<(typeof requests)[C]>;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}

/** Events pushed from the services to every connected window. */
export interface Events {
  'project:changed': { project: ProjectSummary | null };
  'log:warning': { message: string };
}
// Every event name has a payload type, and every payload type a name.
type _EventsComplete = [EventName] extends [keyof Events]
  ? [keyof Events] extends [EventName]
    ? true
    : never
  : never;
export const eventsComplete: _EventsComplete = true;
export const eventNames: readonly EventName[] = EVENT_NAMES;

/** Server-side implementation of the API: one method per channel, taking the parsed request. */
export type ApiHandlers = { [C in Channel]: (request: ParsedRequest<C>) => Promise<Results[C]> | Results[C] };
