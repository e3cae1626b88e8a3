// One line of progress for a terminal, redrawn in place.
import type { RunEvent } from '../services/runs/runEvents';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLine(e: Extract<RunEvent, { type: 'run:progress' }>, width = 24): string {
  const filled = Math.round(e.fraction * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const area =
    e.squareKilometresPerSecond === null ? '' : `  ${e.squareKilometresPerSecond.toFixed(3)} km²/s`;
  const left = e.secondsLeft === null ? '' : `  ${duration(e.secondsLeft)} left`;
  return `[${bar}] ${(e.fraction * 100).toFixed(1).padStart(5)}%  ${e.chunksDone}/${e.chunksTotal} chunks  ${e.megapixelsPerSecond.toFixed(2)} Mpx/s${area}${left}  ${e.providerUsed}`;
}
