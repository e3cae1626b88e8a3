// The `changemap` command line. Each command lives in its own module; this file only dispatches.
import { UsageError, parseArgs } from './args';
import { EXIT } from './runCommand';

const USAGE = `Usage:
  changemap run --before FILE... --after FILE... --project OUT.gpkg
                [--aoi minx,miny,maxx,maxy] [--model NAME|PATH] [--provider auto|cpu|cuda|dml|coreml]
                [--chunk-size PX] [--overlap PX] [--batch N] [--threads N] [--json]
  changemap resume --project OUT.gpkg [--run ID] [--json]
  changemap runs --project OUT.gpkg          list the project's runs
  changemap models                           list the models found
  changemap providers                        list the execution providers of this machine
  changemap serve [--port N] [--project P]   the app in a browser
  changemap export --project P.gpkg --format geojson|shapefile|gpkg|csv|geotiff --out PATH
                [--run ID] [--crs grid|wgs84] [--confirmed-only] [--min-area M2] [--transition FROM:TO ...]
                [--wkt] [--raster probability|mask] [--threshold T] [--overwrite] [--json]
  changemap demo [--out DIR] [--model NAME|PATH] [--provider ...]
                                             sample project: generate, detect, compare with the truth

Exit codes: 0 done, 1 run failed, 2 usage, 3 refused before starting, 130 cancelled (resumable).`;

type Command = (args: ReturnType<typeof parseArgs>) => Promise<number>;

const commands: Record<string, Command> = {
  run: async (a) => (await import('./runCommand')).runCommand(a, 'run'),
  resume: async (a) => (await import('./runCommand')).runCommand(a, 'resume'),
  runs: async (a) => (await import('./infoCommands')).runsCommand(a),
  models: async (a) => (await import('./infoCommands')).modelsCommand(a),
  providers: async (a) => (await import('./infoCommands')).providersCommand(a),
  demo: async (a) => (await import('./demoCommand')).demoCommand(a),
  export: async (a) => (await import('./exportCommand')).exportCommand(a),
  serve: async (a) => {
    const { serve } = await import('./serve');
    const port = a.flags.get('port')?.[0];
    const { host } = await serve({
      port: port ? Number(port) : undefined,
      project: a.flags.get('project')?.[0],
    });
    process.stderr.write(`ChangeMap is served at ${(host as { url?: string }).url ?? 'the loopback host'}\n`);
    return new Promise<number>(() => undefined);
  },
};

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (!args.command || args.command === 'help' || args.flags.has('help')) {
      process.stdout.write(`${USAGE}\n`);
      return args.command ? EXIT.done : EXIT.usage;
    }
    const command = commands[args.command];
    if (!command) throw new UsageError(`Unknown command "${args.command}".`);
    return await command(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`changemap: ${error.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`changemap: ${(error as Error)?.stack ?? error}\n`);
    return EXIT.failed;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
