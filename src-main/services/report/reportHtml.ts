// The report as one self-contained, printable HTML page (pictures inline as data URLs, no script, no remote
// resource): cover with the overview map and the headline figures, the method, the accuracy assessment, and a
// page per largest region. Printed to PDF by a browser engine (printPdf.ts), A4 pages.
import type { Estimate } from '../../core/accuracy/olofsson';
import type { AccuracyState } from '../../ipc/contract';
import type { ReportData, ReportDistricts, ReportRegion } from './reportData';

const esc = (text: unknown): string => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const png = (bytes: Uint8Array): string => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

const number = (v: number, digits = 0): string =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** An area in hectares (or pixels where the ground size is unknown). */
function area(value: number, unit: 'm2' | 'px'): string {
  return unit === 'px' ? `${number(value)} px` : `${number(value / 10_000, 2)} ha`;
}

const percent = (v: number): string => `${number(v * 100, 1)}%`;

/**
 * An estimate with its 95% interval, the interval's ends shown within [min, max] (an accuracy cannot pass 100%,
 * an area cannot fall below 0); the estimators themselves leave the Wald interval as it is.
 */
function withInterval(
  e: Estimate | null,
  format: (v: number) => string,
  [min, max]: [number, number] = [0, Infinity],
): string {
  if (!e) return '—';
  const clip = (v: number) => Math.min(max, Math.max(min, v));
  return `${format(e.value)} <span class="ci">(95% CI ${format(clip(e.ci95[0]))} – ${format(clip(e.ci95[1]))})</span>`;
}

const UNIT: [number, number] = [0, 1];

function headline(data: ReportData): string {
  const fig = data.accuracy?.figures;
  const adjusted = fig
    ? `<p class="lead">Error-adjusted changed area: <b>${area(fig.changedArea.adjusted.value, data.areaUnit)}</b>
       ± ${area(fig.changedArea.adjusted.ci95[1] - fig.changedArea.adjusted.value, data.areaUnit)}
       (95% confidence interval), from ${data.accuracy!.labelled} labelled sample points.</p>`
    : `<p class="lead">No error-adjusted area yet: ${esc(
        data.accuracy?.missing ?? 'no accuracy sample has been drawn for this run.',
      )}</p>`;
  return `<p class="lead">${number(data.regionCount)} change regions, mapped changed area
    <b>${area(data.mappedChangeM2, data.areaUnit)}</b>.</p>${adjusted}`;
}

function overviewSvg(data: ReportData): string {
  const { overview: map, overviewMarks } = data;
  const fontSize = Math.max(10, map.width / 45);
  const marks = overviewMarks
    .map(
      (m) => `<path d="${m.path}" fill="none" stroke="#111" stroke-width="${fontSize / 8}"/>
      <text x="${m.x.toFixed(1)}" y="${(m.y - fontSize * 0.6).toFixed(1)}" font-size="${fontSize}"
        text-anchor="middle" fill="#111" stroke="#fff" stroke-width="${fontSize / 5}" paint-order="stroke">${m.rank}</text>`,
    )
    .join('\n');
  let scale = '';
  if (map.widthM) {
    const target = map.widthM / 4;
    const nice = 10 ** Math.floor(Math.log10(target));
    const metres = [5, 2, 1].map((k) => k * nice).find((m) => m <= target) ?? nice;
    const px = (metres / map.widthM) * map.width;
    const y = map.height - fontSize;
    scale = `<g><rect x="${fontSize}" y="${y - 4}" width="${px.toFixed(1)}" height="6" fill="#111"/>
      <text x="${fontSize}" y="${y - 8}" font-size="${fontSize}" fill="#111" stroke="#fff" stroke-width="${fontSize / 5}"
        paint-order="stroke">${metres >= 1000 ? `${metres / 1000} km` : `${metres} m`}</text></g>`;
  }
  return `<svg class="overview" viewBox="0 0 ${map.width} ${map.height}" xmlns="http://www.w3.org/2000/svg">
    <image href="${png(map.png)}" width="${map.width}" height="${map.height}" style="image-rendering:pixelated"/>
    ${marks}${scale}</svg>`;
}

function imageryRow(label: string, date: ReportData['imagery']['before']): string {
  if (!date) return `<tr><th>${label}</th><td colspan="2">—</td></tr>`;
  const files =
    date.uris.length === 1 ? esc(date.uris[0]) : `${date.uris.length} files (${esc(date.uris[0])}, …)`;
  return `<tr><th>${label}</th><td>${esc(date.acquiredAt ?? 'date unknown')}</td><td class="files">${files}</td></tr>`;
}

function method(data: ReportData): string {
  const { run, settings } = data;
  const model = `${esc(run.modelName)} version ${esc(run.modelVersion)}${
    run.modelRequested === 'auto' && run.modelReason ? ` — chosen automatically: ${esc(run.modelReason)}` : ''
  }`;
  return `<h2>Method</h2>
  <table class="facts">
    ${imageryRow('Before', data.imagery.before)}
    ${imageryRow('After', data.imagery.after)}
  </table>
  <table class="facts">
    <tr><th>Change model</th><td>${model}</td></tr>
    <tr><th>Hardware</th><td>${esc(run.provider)}</td></tr>
    <tr><th>Analysis grid</th><td>${esc(run.crsName)}, ${number(run.widthPx)} × ${number(run.heightPx)} pixels${
      run.pixelSizeM ? ` of ${number(run.pixelSizeM, 2)} m` : ''
    }; area analysed: ${esc(run.aoi)}</td></tr>
    <tr><th>Region settings</th><td>change probability at least ${number(settings.threshold, 2)}, opening
      ${settings.openingRadius} px, closing ${settings.closingRadius} px, smallest region ${number(settings.minAreaM2)} m²</td></tr>
    <tr><th>Run</th><td>number ${run.id}, started ${esc(run.createdAt)}, finished ${esc(run.finishedAt ?? '—')}</td></tr>
    ${run.warnings.length ? `<tr><th>Warnings</th><td>${run.warnings.map(esc).join('<br>')}</td></tr>` : ''}
  </table>`;
}

function accuracySection(accuracy: AccuracyState | null, unit: 'm2' | 'px'): string {
  const intro = `<h2>Accuracy assessment</h2>
  <p>A stratified random sample of points was drawn from the map (strata: inside a change region, and everywhere
  else), and a person looked at each point in the before and after imagery and said whether it truly changed.
  The figures follow Olofsson et al. (2014), "Good practices for estimating area and assessing accuracy of land
  change", <i>Remote Sensing of Environment</i> 148: 42–57.</p>`;
  if (!accuracy) return `${intro}<p>No sample has been drawn for this run.</p>`;
  const { sample, figures } = accuracy;
  const design = `<p>Sample ${sample.id}: ${number(accuracy.points.length)} points
    (${number(sample.allocation.changed)} in change regions, ${number(sample.allocation.unchanged)} elsewhere;
    seed ${sample.seed}; target standard error of overall accuracy ${sample.design.targetStandardError}),
    ${number(accuracy.labelled)} labelled.</p>`;
  if (!figures) return `${intro}${design}<p>${esc(accuracy.missing ?? '')}</p>`;
  const m = figures.matrix;
  return `${intro}${design}
  <table class="matrix">
    <tr><th rowspan="2">Map</th><th colspan="2">Reference (what the person saw)</th></tr>
    <tr><th>change</th><th>no change</th></tr>
    <tr><th>change</th><td>${m.changed.change}</td><td>${m.changed.no_change}</td></tr>
    <tr><th>no change</th><td>${m.unchanged.change}</td><td>${m.unchanged.no_change}</td></tr>
  </table>
  <table class="facts">
    <tr><th>Overall accuracy</th><td>${withInterval(figures.overallAccuracy, percent, UNIT)}</td></tr>
    <tr><th>User’s accuracy, change</th><td>${withInterval(figures.usersAccuracy.change, percent, UNIT)}</td></tr>
    <tr><th>Producer’s accuracy, change</th><td>${withInterval(figures.producersAccuracy.change, percent, UNIT)}</td></tr>
    <tr><th>User’s accuracy, no change</th><td>${withInterval(figures.usersAccuracy.no_change, percent, UNIT)}</td></tr>
    <tr><th>Producer’s accuracy, no change</th><td>${withInterval(figures.producersAccuracy.no_change, percent, UNIT)}</td></tr>
    <tr><th>Mapped changed area</th><td>${area(figures.changedArea.mapped, unit)}</td></tr>
    <tr><th>Error-adjusted changed area</th><td>${withInterval(figures.changedArea.adjusted, (v) => area(v, unit))}</td></tr>
  </table>
  <p class="note">User’s accuracy: of what the map calls change, the share that truly changed. Producer’s
  accuracy: of what truly changed, the share the map found. The error-adjusted area corrects the mapped area for
  both kinds of error; the interval is where the true area lies with 95% confidence.</p>`;
}

function districtTable(table: ReportDistricts, unit: 'm2' | 'px'): string {
  const rows = table.rows
    .map((r) => {
      const top = r.transitions[0];
      const acc = r.accuracy?.adjustedChange;
      return `<tr><td>${esc(r.label || r.key)}</td><td class="num">${area(r.areaM2, 'm2')}</td>
        <td class="num">${area(r.changedM2, 'm2')}</td>
        <td class="num">${r.changedPct === null ? '—' : `${number(r.changedPct, 2)}%`}</td>
        <td class="num">${r.regionCount}</td>
        <td>${top ? `${esc(top.from ?? '?')} → ${esc(top.to ?? '?')}` : '—'}</td>
        <td class="num">${r.reviews.confirmed} / ${r.reviews.rejected}</td>
        <td>${acc ? withInterval(acc, (v) => area(v, unit)) : r.accuracy ? `<span class="ci">${esc(r.accuracy.missing ?? '')}</span>` : '<span class="ci">no sample points</span>'}</td></tr>`;
    })
    .join('\n');
  const more =
    table.total > table.rows.length
      ? `<p class="note">and ${table.total - table.rows.length} more features with less change (the summary export lists them all).</p>`
      : '';
  return `<h2>By ${esc(table.layerName)}</h2>
  <table class="districts">
    <tr><th>Feature</th><th>Area</th><th>Changed</th><th>Share</th><th>Regions</th><th>Main change</th>
      <th>Confirmed / rejected</th><th>Error-adjusted change (95% CI)</th></tr>
    ${rows}
  </table>${more}`;
}

function regionPage(region: ReportRegion, unit: 'm2' | 'px'): string {
  const pictures = region.images
    ? `<div class="triptych">
        <figure><img src="${png(region.images.before)}"><figcaption>Before</figcaption></figure>
        <figure><img src="${png(region.images.change)}"><figcaption>Change</figcaption></figure>
        <figure><img src="${png(region.images.after)}"><figcaption>After</figcaption></figure>
      </div>`
    : `<p>No pictures: ${esc(region.imagesMissing ?? '')}</p>`;
  return `<section class="page">
    <h2>Region ${region.rank}: ${esc(region.transition ?? 'change')}</h2>
    <table class="facts">
      <tr><th>Area</th><td>${area(region.areaM2, unit)}</td></tr>
      <tr><th>Land cover</th><td>${esc(region.description)}</td></tr>
      <tr><th>Mean change probability</th><td>${number(region.probMean, 2)}</td></tr>
      <tr><th>Review</th><td>${esc(region.reviewState)}${region.note ? ` — ${esc(region.note)}` : ''}</td></tr>
      <tr><th>Centre</th><td>${number(region.lat, 5)}, ${number(region.lon, 5)} (region id ${region.fid})</td></tr>
    </table>
    ${pictures}
  </section>`;
}

const STYLE = `
@page { size: A4; margin: 16mm 14mm; }
body { font: 10.5pt/1.4 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1b1f24; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; } h2 { font-size: 14pt; margin: 6mm 0 2mm; }
.page { break-before: page; } .lead { font-size: 12pt; margin: 1mm 0; }
.sub { color: #555; margin: 0 0 4mm; }
.overview { width: 100%; max-height: 150mm; border: 1px solid #ccc; }
table { border-collapse: collapse; margin: 2mm 0; } th, td { text-align: left; padding: 1mm 2mm; vertical-align: top; }
.facts th { color: #444; font-weight: 600; white-space: nowrap; } .facts { width: 100%; }
.files { font-size: 8.5pt; word-break: break-all; }
.matrix td, .matrix th { border: 1px solid #bbb; text-align: center; min-width: 22mm; }
.ci { color: #555; } .note { color: #444; font-size: 9.5pt; }
.districts { width: 100%; font-size: 8.5pt; } .districts th, .districts td { border-bottom: 1px solid #ddd; }
.num { text-align: right; white-space: nowrap; }
.triptych { display: flex; gap: 3mm; } .triptych figure { margin: 0; flex: 1; }
.triptych img { width: 100%; image-rendering: pixelated; border: 1px solid #ccc; }
figcaption { text-align: center; font-weight: 600; }
`;

/** The report's HTML. */
export function reportHtml(data: ReportData): string {
  const pages = data.largest.map((r) => regionPage(r, data.areaUnit)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>ChangeMap report — ${esc(data.projectName)}</title><style>${STYLE}</style></head>
<body>
<section>
  <h1>ChangeMap report — ${esc(data.projectName)}</h1>
  <p class="sub">Land-cover change between ${esc(data.imagery.before?.acquiredAt ?? 'the before date')} and
    ${esc(data.imagery.after?.acquiredAt ?? 'the after date')}; run ${data.run.id}; made ${esc(data.generatedAt)}.</p>
  ${headline(data)}
  ${overviewSvg(data)}
  <p class="note">Red: change found by the model. Numbered outlines: the ${data.largest.length} largest regions,
    each on a page of its own below.</p>
</section>
${data.districts.length ? `<section class="page">${data.districts.map((t) => districtTable(t, data.areaUnit)).join('\n')}</section>` : ''}
<section class="page">
  ${method(data)}
  ${accuracySection(data.accuracy, data.areaUnit)}
</section>
${pages}
</body></html>
`;
}
