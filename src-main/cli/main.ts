// The `changemap` command line: commander reads the flags (and writes the usage text) and each flag's value is
// checked by the API contract's schema for it (contractFlags.ts); each command lives in its own module.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isChangeMapError } from '../core/errors';
import { z } from 'zod';
import {
  engineUrl,
  s3EndpointUrl,
  generatedSceneEdge,
  PROVIDER_IDS,
  regionSettingsSchema,
  type RegionSettings,
} from '../ipc/contract';
import { MAX_STACK_BANDS, stackBandList } from '../ipc/stacSchemas';
import { field, numberOf, runIdOf, textOf } from './contractFlags';
import { EXIT } from './exitCodes';
import { packageVersion } from './packageVersion';

interface RegionFlags {
  threshold?: number;
  opening?: number;
  closing?: number;
  minArea?: number;
}

const settingShape = regionSettingsSchema.shape;

/** The region-settings flags of `run` and `regions`; each left out comes from the one settings rule. */
function withRegionFlags(command: Command): Command {
  return command
    .option(
      '--threshold <p>',
      'change where the probability is at least this, 0..1',
      numberOf(settingShape.threshold),
    )
    .option('--opening <px>', 'opening radius (removes specks), pixels', numberOf(settingShape.openingRadius))
    .option('--closing <px>', 'closing radius (fills pinholes), pixels', numberOf(settingShape.closingRadius))
    .option('--min-area <m2>', 'smallest region kept, m²', numberOf(settingShape.minAreaM2));
}

function regionSettings(flags: RegionFlags): Partial<RegionSettings> {
  const settings: Partial<RegionSettings> = {
    threshold: flags.threshold,
    openingRadius: flags.opening,
    closingRadius: flags.closing,
    minAreaM2: flags.minArea,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

function parseAoi(text: string): { minX: number; minY: number; maxX: number; maxY: number } {
  const v = text.split(',').map(Number);
  const aoi = { minX: v[0], minY: v[1], maxX: v[2], maxY: v[3] };
  const parsed = field('run:start', 'gridAoi').safeParse(v.length === 4 ? aoi : undefined);
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)) || !parsed.success)
    throw new InvalidArgumentError(
      'Give minx,miny,maxx,maxy in the imagery CRS (pixels for images without georeference), with min < max.',
    );
  return aoi;
}

function parseBbox(text: string): [number, number, number, number] {
  const v = text.split(',').map(Number);
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)))
    throw new InvalidArgumentError('Give west,south,east,north in degrees, e.g. 15.6,48.2,15.8,48.4.');
  return [v[0], v[1], v[2], v[3]];
}

function parseDateRange(text: string): { from: string; to: string } {
  const m = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(text);
  if (!m) throw new InvalidArgumentError('Give the dates as YYYY-MM-DD/YYYY-MM-DD.');
  return { from: m[1], to: m[2] };
}

function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new InvalidArgumentError('Give WIDTHxHEIGHT, e.g. 2000x1500.');
  const edge = numberOf(generatedSceneEdge);
  return { width: edge(m[1]), height: edge(m[2]) };
}

/** Date ids of --date-ids, each checked by the contract's schema for a date id. */
function dateIdsOf(text: string, previous: number[] = []): number[] {
  return [...previous, numberOf(field('imagery:removeDate', 'dateId'))(text)];
}

/** --bands: comma-separated STAC common names, each checked by the contract's schema for one. */
function bandNamesOf(text: string): string[] {
  const names = text.split(',').map((n) => n.trim());
  const list = stackBandList.safeParse(names);
  if (!list.success) {
    throw new InvalidArgumentError(
      `Give 1 to ${MAX_STACK_BANDS} bands by STAC common name, comma-separated (e.g. red,green,blue or red,green,nir08).`,
    );
  }
  return names;
}

/** Acquisition dates of --acquired, each checked by the contract's schema for a calendar date. */
function acquiredOf(text: string, previous: string[] = []): string[] {
  return [...previous, textOf(field('imagery:addDate', 'acquiredAt'))(text)];
}

/** What is wrong with the imagery flags of `run` (one sentence), or null. */
export function seriesUsageError(o: {
  before?: string[];
  after?: string[];
  beforeItem?: string[];
  afterItem?: string[];
  dates?: string[];
  dateIds?: number[];
  acquired?: string[];
  synthetic?: unknown;
  bands?: string[];
}): string | null {
  if (o.bands && !o.beforeItem?.length && !o.afterItem?.length)
    return '--bands stacks the bands of STAC items: give --before-item and --after-item.';
  const hasBefore = Boolean(o.before?.length || o.beforeItem?.length);
  const hasAfter = Boolean(o.after?.length || o.afterItem?.length);
  const pair = hasBefore || hasAfter;
  if (o.before?.length && o.beforeItem?.length)
    return 'give the before imagery one way: --before or --before-item.';
  if (o.after?.length && o.afterItem?.length)
    return 'give the after imagery one way: --after or --after-item.';
  const kinds = [pair, Boolean(o.dates), Boolean(o.dateIds), Boolean(o.synthetic)].filter(Boolean).length;
  if (kinds > 1)
    return 'give the imagery one way: --before FILE... --after FILE..., --dates FILE FILE FILE... or --date-ids ID ID...';
  if (o.dates && o.dates.length < 2) return '--dates needs at least two dates, oldest first.';
  if (o.dateIds && o.dateIds.length < 2) return '--date-ids needs at least two date ids, oldest first.';
  if (o.acquired && o.acquired.length !== (o.dates?.length ?? -1))
    return `--acquired gives one date per --dates entry (${o.dates?.length ?? 0} there, ${o.acquired.length} given).`;
  if (kinds === 0 || (pair && (!hasBefore || !hasAfter)))
    return 'give the imagery with --before FILE... --after FILE..., or a series with --dates FILE FILE FILE...';
  return null;
}

/** The whole command line; `done(code)` receives each command's exit code. */
export function buildProgram(done: (code: number) => void): Command {
  const program = new Command('changemap')
    .description('Find and explain land-cover change between two dates of imagery.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError('(add --help for the options)')
    .configureOutput({
      writeOut: (s) => void process.stdout.write(s),
      writeErr: (s) => void process.stderr.write(s),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 failed, 2 usage, 3 refused before starting, 130 cancelled (resumable).',
    );

  withRegionFlags(
    program
      .command('run')
      .description('detect change between two dates, then find and classify the change regions')
      .requiredOption('--project <file.gpkg>', 'project to create or add the run to')
      .option('--before <file|url...>', 'before imagery: GeoTIFF tiles, a .vrt, or a COG URL')
      .option('--after <file|url...>', 'after imagery')
      .option(
        '--before-item <url...>',
        'before imagery: STAC item addresses (their image is read by reference)',
      )
      .option('--after-item <url...>', 'after imagery: STAC item addresses')
      .option(
        '--bands <names>',
        "with --before-item/--after-item: stack these bands (STAC common names, e.g. red,green,blue or red,green,nir08) from each item's one-file-per-band assets; default: the item's image, or red,green,blue where it has none",
        bandNamesOf,
      )
      .option(
        '--dates <file|url...>',
        'a series of dates, oldest first, one file, .vrt or COG URL each; each date is compared with the next',
      )
      .option(
        '--date-ids <id...>',
        'dates already in the project (ids as `changemap runs` lists them); each compared with the next',
        dateIdsOf,
      )
      .option(
        '--acquired <YYYY-MM-DD...>',
        'with --dates: when each date was taken, one per date (default: from metadata or file names)',
        acquiredOf,
      )
      .addOption(
        new Option('--synthetic <WxH>', 'generated pair (tests, benchmarks)').argParser(parseSize).hideHelp(),
      )
      .addOption(new Option('--seed <n>', 'seed of the generated pair').argParser(Number).hideHelp())
      .option(
        '--aoi <minx,miny,maxx,maxy>',
        'area in the imagery CRS (pixels without georeference)',
        parseAoi,
      )
      .option(
        '--model <name|path>',
        'change model: auto (default: chosen from the imagery), a catalogue name or a card path',
      )
      .addOption(
        new Option('--provider <id>', 'execution provider')
          .choices(['auto', ...PROVIDER_IDS])
          .default('auto'),
      )
      .option('--chunk-size <px>', 'chunk edge, pixels', numberOf(field('run:start', 'chunkSize')))
      .option(
        '--chip <px>',
        'chip edge, pixels (default: from the model and grid)',
        numberOf(field('run:start', 'chipSize')),
      )
      .option('--overlap <px>', 'chip overlap, pixels', numberOf(field('run:start', 'overlap')))
      .option('--batch <n>', 'chips per batch', numberOf(field('run:start', 'batchSize')))
      .option(
        '--threads <n>',
        'CPU threads for inference (default: measured once per machine and model)',
        numberOf(field('run:start', 'threads')),
      )
      .option(
        '--sessions <n>',
        'model sessions computing side by side, --threads each (default: measured with the threads)',
        numberOf(field('run:start', 'sessions')),
      )
      .option(
        '--memory-budget <MiB>',
        'memory the run may use; chunk and batch sizes follow (default 1024)',
        numberOf(field('run:start', 'memoryBudgetMiB')),
      )
      .option(
        '--before-date <YYYY-MM-DD>',
        'when the before imagery was taken (default: from its metadata or file name)',
        textOf(field('imagery:addDate', 'acquiredAt')),
      )
      .option(
        '--after-date <YYYY-MM-DD>',
        'when the after imagery was taken (default: from its metadata or file name)',
        textOf(field('imagery:addDate', 'acquiredAt')),
      )
      .option(
        '--pixel-size <m>',
        'ground size of a pixel, metres, for images without georeference (areas in m² then, else in pixels)',
        numberOf(field('imagery:setPixelSize', 'sizeM')),
      )
      .option('--no-regions', 'do not find regions when the run finishes')
      .option(
        '--engine <redis-url>',
        'compute the chunks on `changemap worker` processes through this Redis (README: Scale-out)',
        textOf(field('run:start', 'engine')),
      )
      .option(
        '--output <s3-url>',
        'with --engine: workers hand their chunks over through this S3-compatible store, s3://bucket/prefix (README: Scale-out)',
        textOf(field('run:start', 'output')),
      )
      .option(
        '--s3-endpoint <url>',
        "the --output store's endpoint where it is not AWS, e.g. http://minio:9000 (default: AWS_ENDPOINT_URL_S3)",
        textOf(field('run:start', 's3Endpoint')),
      )
      .option('--json', 'one JSON event per line'),
  ).action(async (o, command: Command) => {
    const usage = seriesUsageError(o);
    if (usage) command.error(`error: ${usage}`, { exitCode: EXIT.usage });
    const { runCommand } = await import('./runCommand');
    done(
      await runCommand({
        project: o.project,
        before: o.before,
        after: o.after,
        beforeItems: o.beforeItem,
        afterItems: o.afterItem,
        bands: o.bands,
        dates: o.dates,
        dateIds: o.dateIds,
        acquired: o.acquired,
        synthetic: o.synthetic,
        seed: o.seed,
        aoi: o.aoi,
        model: o.model,
        provider: o.provider,
        chunkSize: o.chunkSize,
        chip: o.chip,
        overlap: o.overlap,
        batch: o.batch,
        threads: o.threads,
        sessions: o.sessions,
        memoryBudget: o.memoryBudget,
        regions: o.regions,
        settings: regionSettings(o),
        beforeDate: o.beforeDate,
        afterDate: o.afterDate,
        pixelSize: o.pixelSize,
        engine: o.engine,
        output: o.output,
        s3Endpoint: o.s3Endpoint,
        json: Boolean(o.json),
      }),
    );
  });

  program
    .command('search')
    .description('find scenes in a STAC API catalogue or Planet (as the "Find imagery" panel does)')
    .option('--stac <url>', "the STAC API's address (its landing page)")
    .option('--planet', "Planet's Data API, with the key in PL_API_KEY")
    .option('--collection <id...>', 'collections to search (default: all)')
    .option('--item-type <type...>', 'Planet item types (default: PSScene)')
    .requiredOption('--bbox <west,south,east,north>', 'area, WGS 84 degrees', parseBbox)
    .requiredOption('--datetime <from/to>', 'dates, YYYY-MM-DD/YYYY-MM-DD (inclusive)', parseDateRange)
    .option('--max-cloud <percent>', 'leave out scenes cloudier than this', Number)
    .option('--limit <n>', 'most scenes listed (default 100)', Number)
    .option('--json', 'JSON output')
    .action(async (o) => {
      const { searchCommand } = await import('./searchCommand');
      done(
        await searchCommand({
          stac: o.stac,
          planet: Boolean(o.planet),
          collections: (o.planet ? o.itemType : o.collection) ?? [],
          bbox: o.bbox,
          from: o.datetime.from,
          to: o.datetime.to,
          maxCloud: o.maxCloud,
          limit: o.limit,
          json: Boolean(o.json),
        }),
      );
    });

  program
    .command('resume')
    .description('continue a cancelled, failed or interrupted run (finished chunks are kept)')
    .requiredOption('--project <file.gpkg>', 'project')
    .option('--run <id>', 'run to resume (default: the last unfinished one)', runIdOf)
    .option(
      '--engine <redis-url>',
      'compute the chunks left on `changemap worker` processes through this Redis',
      textOf(field('run:resume', 'engine')),
    )
    .option(
      '--output <s3-url>',
      'with --engine: workers hand their chunks over through this S3-compatible store, s3://bucket/prefix',
      textOf(field('run:resume', 'output')),
    )
    .option(
      '--s3-endpoint <url>',
      "the --output store's endpoint where it is not AWS (default: AWS_ENDPOINT_URL_S3)",
      textOf(field('run:resume', 's3Endpoint')),
    )
    .option('--json', 'one JSON event per line')
    .action(async (o) => {
      const { resumeCommand } = await import('./runCommand');
      done(
        await resumeCommand({
          project: o.project,
          run: o.run,
          engine: o.engine,
          output: o.output,
          s3Endpoint: o.s3Endpoint,
          json: Boolean(o.json),
        }),
      );
    });

  program
    .command('worker')
    .description(
      'take chunks of runs started with --engine from that Redis and compute them (README: Scale-out)',
    )
    .requiredOption('--engine <redis-url>', 'the Redis the runs queue their chunks on', textOf(engineUrl))
    .option('--concurrency <n>', 'chunks computed at once', numberOf(z.number().int().min(1).max(64)), 1)
    .option(
      '--output-dir <dir>',
      "where this machine sees the project's data folder (default: the path the coordinator gives)",
    )
    .option(
      '--s3-endpoint <url>',
      'the endpoint of the S3-compatible store of runs started with --output s3://... where it is not AWS (default: AWS_ENDPOINT_URL_S3)',
      textOf(s3EndpointUrl),
    )
    .option(
      '--models <dir>',
      'a folder of model cards besides the shipped ones (repeat for more)',
      (dir: string, dirs: string[]) => [...dirs, dir],
      [] as string[],
    )
    .option('--name <name>', 'name in the ledger and the logs (default: host/pid)')
    .addOption(
      new Option('--provider <id>', 'execution provider').choices(['auto', ...PROVIDER_IDS]).default('auto'),
    )
    .option('--threads <n>', 'CPU threads for inference', numberOf(field('run:start', 'threads')))
    .action(async (o) => {
      const { workerCommand } = await import('./workerCommand');
      done(
        await workerCommand({
          engine: o.engine,
          concurrency: o.concurrency,
          outputDir: o.outputDir,
          s3Endpoint: o.s3Endpoint,
          models: o.models,
          name: o.name,
          provider: o.provider,
          threads: o.threads,
        }),
      );
    });

  withRegionFlags(
    program
      .command('regions')
      .description(
        "find and classify a run's change regions again (other settings: the run's, else the model card's)",
      )
      .requiredOption('--project <file.gpkg>', 'project')
      .option('--run <id>', 'run (default: the last finished one)', runIdOf)
      .option('--json', 'JSON output'),
  ).action(async (o) => {
    const { regionsCommand } = await import('./regionsCommand');
    done(
      await regionsCommand({
        project: o.project,
        run: o.run,
        settings: regionSettings(o),
        json: Boolean(o.json),
      }),
    );
  });

  program
    .command('report')
    .description(
      "make a run's printable report: HTML, or PDF through a browser engine (Electron or Chromium)",
    )
    .requiredOption('--project <file.gpkg>', 'project')
    .requiredOption('--out <file>', 'report.html or report.pdf', textOf(field('report:make', 'out')))
    .option('--run <id>', 'run (default: the last finished one)', runIdOf)
    .option(
      '--regions <n>',
      'pages for the largest regions (default 5)',
      numberOf(field('report:make', 'largestRegions')),
    )
    .option('--overwrite', 'replace an existing file')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const { reportCommand } = await import('./reportCommand');
      done(
        await reportCommand({
          project: o.project,
          out: o.out,
          run: o.run,
          regions: o.regions,
          overwrite: Boolean(o.overwrite),
          json: Boolean(o.json),
        }),
      );
    });

  program
    .command('export')
    .description("write a run's regions (GeoJSON, Shapefile, GeoPackage, CSV) or rasters (GeoTIFF)")
    .requiredOption('--project <file.gpkg>', 'project')
    .addOption(
      new Option('--format <format>', 'file format')
        .choices([
          ...(field('export:regions', 'format') as unknown as { options: string[] }).options,
          'geotiff',
        ])
        .makeOptionMandatory(),
    )
    .requiredOption('--out <path>', 'file to write', textOf(field('export:regions', 'out')))
    .option('--run <id>', 'run (default: the last finished one)', runIdOf)
    .addOption(new Option('--crs <crs>', 'coordinates: the grid CRS or WGS 84').choices(['grid', 'wgs84']))
    .addOption(new Option('--confirmed-only', 'only confirmed regions').conflicts('includeRejected'))
    .option('--include-rejected', 'rejected regions too (by default every region but rejected ones)')
    .option('--min-area <m2>', 'only regions of at least this area, m²', numberOf(settingShape.minAreaM2))
    .option('--transition <from:to...>', 'only these changes, e.g. forest:residential (a side left out: any)')
    .option('--wkt', 'CSV: add the outline as WKT')
    .addOption(
      new Option('--raster <kind>', 'geotiff: the probability or the change mask')
        .choices(['probability', 'mask'])
        .default('probability'),
    )
    .option(
      '--threshold <p>',
      "mask threshold (default: the run's, by the settings rule)",
      numberOf(settingShape.threshold),
    )
    .option('--overwrite', 'replace an existing file')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const { exportCommand } = await import('./exportCommand');
      done(
        await exportCommand({
          project: o.project,
          format: o.format,
          out: o.out,
          run: o.run,
          crs: o.crs,
          confirmedOnly: Boolean(o.confirmedOnly),
          includeRejected: Boolean(o.includeRejected),
          minArea: o.minArea,
          transition: o.transition,
          wkt: Boolean(o.wkt),
          raster: o.raster,
          threshold: o.threshold,
          overwrite: Boolean(o.overwrite),
          json: Boolean(o.json),
        }),
      );
    });

  program
    .command('runs')
    .description("list a project's runs")
    .requiredOption('--project <file.gpkg>', 'project')
    .option('--json', 'JSON output')
    .action(async (o) =>
      done(await (await import('./infoCommands')).runsCommand(o.project, Boolean(o.json))),
    );

  program
    .command('unlock')
    .description(
      'take over the lock of a project that ChangeMap on another machine holds or left (once it no longer runs there)',
    )
    .requiredOption('--project <file.gpkg>', 'project')
    .action(async (o) => done((await import('./unlockCommand')).unlockCommand(o.project)));

  program
    .command('models')
    .description('list the models found')
    .option('--json', 'JSON output')
    .action(async (o) => done(await (await import('./infoCommands')).modelsCommand(Boolean(o.json))));

  program
    .command('providers')
    .description("list this machine's execution providers")
    .option('--json', 'JSON output')
    .action(async (o) => done(await (await import('./infoCommands')).providersCommand(Boolean(o.json))));

  const boundaries = program
    .command('boundaries')
    .description('boundary layers (parcels, districts): add one, list them, export the change per feature');
  boundaries
    .command('add')
    .description('add a boundary layer from GeoJSON, a Shapefile (.zip or .shp), GeoPackage or FlatGeobuf')
    .requiredOption('--project <file.gpkg>', 'project')
    .requiredOption('--file <path>', 'the boundary file', textOf(field('boundaries:add', 'path')))
    .option('--layer <name>', 'GeoPackage table or Shapefile in the zip (default: the first polygon layer)')
    .option('--name <name>', 'layer name (default: the file or table name)')
    .option('--label-field <attribute>', 'attribute that names each feature (default: a name-like one)')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const { boundariesAddCommand } = await import('./boundariesCommand');
      done(
        await boundariesAddCommand({
          project: o.project,
          file: o.file,
          layer: o.layer,
          name: o.name,
          labelField: o.labelField,
          json: Boolean(o.json),
        }),
      );
    });
  boundaries
    .command('list')
    .description("list the project's boundary layers")
    .requiredOption('--project <file.gpkg>', 'project')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const { boundariesListCommand } = await import('./boundariesCommand');
      done(await boundariesListCommand({ project: o.project, json: Boolean(o.json) }));
    });
  boundaries
    .command('summary')
    .description(
      'join a layer to a run (where not joined yet) and write the change per feature, CSV or GeoPackage',
    )
    .requiredOption('--project <file.gpkg>', 'project')
    .requiredOption(
      '--out <path>',
      'file to write (.csv or .gpkg)',
      textOf(field('boundaries:exportSummary', 'out')),
    )
    .option(
      '--layer <id>',
      'boundary layer (default: the last one added)',
      numberOf(field('boundaries:join', 'layerId')),
    )
    .option('--run <id>', 'run (default: the last finished one)', runIdOf)
    .addOption(new Option('--format <format>', 'default: from the file extension').choices(['csv', 'gpkg']))
    .option('--overwrite', 'replace an existing file')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const { boundariesSummaryCommand } = await import('./boundariesCommand');
      done(
        await boundariesSummaryCommand({
          project: o.project,
          out: o.out,
          layer: o.layer,
          run: o.run,
          format: o.format,
          overwrite: Boolean(o.overwrite),
          json: Boolean(o.json),
        }),
      );
    });

  program
    .command('serve')
    .description('the app in a browser, on a loopback URL with a per-launch token')
    .option('--port <n>', 'port (default: any free one)', Number)
    .option('--project <file.gpkg>', 'project to open')
    .option(
      '--root <dir>',
      'a folder the file browser may show, besides the home folder (repeat for more)',
      (dir: string, roots: string[]) => [...roots, dir],
      [] as string[],
    )
    .addOption(new Option('--static <dir>', 'built renderer folder').hideHelp())
    .action(async (o) => {
      const { serveCommand } = await import('./serve');
      done(await serveCommand({ port: o.port, project: o.project, staticRoot: o.static, roots: o.root }));
    });

  program
    .command('demo')
    .description('sample project: generate, detect, find regions, compare with the planted truth')
    .option('--out <dir>', 'folder of the sample project', 'sample-project')
    .option('--model <name|path>', 'change model', 'changemap-change')
    .addOption(
      new Option('--provider <id>', 'execution provider').choices(['auto', ...PROVIDER_IDS]).default('auto'),
    )
    .addOption(
      new Option('--scene-size <px>', 'edge of the generated scene (tests)')
        .argParser(numberOf(generatedSceneEdge.min(64)))
        .hideHelp(),
    )
    .action(async (o) => {
      const { demoCommand } = await import('./demoCommand');
      done(await demoCommand({ out: o.out, model: o.model, provider: o.provider, sceneSizePx: o.sceneSize }));
    });

  return program;
}

/**
 * An error no command handled, in one line: a ChangeMapError is a refusal (its sentence and code, exit 3); anything
 * else is a failure named by its message, never a raw stack (set CHANGEMAP_DEBUG=1 to see the stack).
 */
export function reportUncaught(error: unknown): number {
  if (isChangeMapError(error)) {
    process.stderr.write(`changemap: ${error.message} [${error.code}]\n`);
    return EXIT.refused;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `changemap: unexpected error: ${message.split('\n')[0]} [INTERNAL]. Run again with CHANGEMAP_DEBUG=1 for details.\n`,
  );
  if (process.env.CHANGEMAP_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return EXIT.failed;
}

/** Runs the command line; resolves with the exit code (README: Command line). */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.done;
  const program = buildProgram((c) => (code = c));
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.done;
      return EXIT.usage;
    }
    return reportUncaught(error);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
