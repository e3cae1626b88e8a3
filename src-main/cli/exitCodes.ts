// The command line's exit codes (README: Command line).
export const EXIT = {
  done: 0,
  /** The run started and failed (disk full, unreadable chunk, ...), or its regions could not be found. */
  failed: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** Refused before starting: bad model, bad inputs, area outside the imagery, project in use, file exists. */
  refused: 3,
  /** Cancelled (Ctrl-C); resume with `changemap resume`. */
  cancelled: 130,
} as const;
