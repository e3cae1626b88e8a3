// A small argument reader for `changemap <command> --flag value ...`, where a flag may take several values
// (`--before a.tif b.tif`), as the command line's users write them.
export interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags = new Map<string, string[]>();
  let command: string | undefined;
  let current: string[] | null = null;
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      current = flags.get(name) ?? [];
      flags.set(name, current);
      if (inline !== undefined) current.push(inline);
    } else if (current) current.push(arg);
    else if (command === undefined) command = arg;
    else throw new UsageError(`Unexpected argument "${arg}".`);
  }
  return { command, flags };
}

export class UsageError extends Error {}

export function one(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (!v) return undefined;
  if (v.length !== 1) throw new UsageError(`--${name} takes one value.`);
  return v[0];
}

export function flag(args: ParsedArgs, name: string): boolean {
  const v = args.flags.get(name);
  if (v && v.length > 0) throw new UsageError(`--${name} takes no value.`);
  return v !== undefined;
}

export function integer(args: ParsedArgs, name: string): number | undefined {
  const v = one(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number.`);
  return n;
}
