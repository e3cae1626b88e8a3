// Boundary layers from every format GIS users hand over, written by GDAL (an independent writer) from one GeoJSON
// in WGS 84, in other CRSs: each reads back to the same features and areas. Bad layers are refused with their code.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemoryProjectDb } from '../project/memoryDb';
import { addBoundaryLayer, guessLabelField, listBoundaryLayers, setLabelField } from './boundaryLayers';
import { readBoundaryFile } from './readBoundaryFile';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-boundary-read-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const square = (lon: number, lat: number, d: number): number[][][] => [
  [
    [lon, lat],
    [lon + d, lat],
    [lon + d, lat + d],
    [lon, lat + d],
    [lon, lat],
  ],
];
const districts = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: 7,
      properties: { nom: 'Île de Nantes', code: 44109 },
      geometry: { type: 'Polygon', coordinates: square(-1.56, 47.2, 0.02) },
    },
    {
      type: 'Feature',
      properties: { nom: 'Doulon', code: 44110 },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [square(-1.5, 47.22, 0.01), square(-1.48, 47.22, 0.01)],
      },
    },
    { type: 'Feature', properties: { nom: 'No outline', code: 1 }, geometry: null },
  ],
};

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const source = write('districts.geojson', districts);
/** GDAL converts the districts into another format and CRS. */
function gdal(name: string, driver: string, epsg: number, extra: string[] = []): string {
  const out = path.isAbsolute(name) ? name : path.join(dir, name);
  execFileSync('ogr2ogr', ['-f', driver, out, source, '-t_srs', `EPSG:${epsg}`, ...extra], {
    stdio: 'ignore',
  });
  return out;
}
const areasOf = async (file: string, options = {}): Promise<number[]> => {
  const db = openMemoryProjectDb();
  addBoundaryLayer(db, await readBoundaryFile(file, options), { source: file });
  return (
    db.prepare('SELECT area_m2 FROM boundary_features ORDER BY area_m2').all() as { area_m2: number }[]
  ).map((r) => r.area_m2);
};

describe('readBoundaryFile', () => {
  it('reads GeoJSON in WGS 84 with ids, attributes and a name-like label field; skips features without outline', async () => {
    const read = await readBoundaryFile(source);
    expect(read).toMatchObject({ format: 'geojson', skippedEmpty: 1, crs: { code: 'EPSG:4326' } });
    expect(read.features.map((f) => f.key)).toEqual(['7', '2']);
    expect(read.fields).toEqual([
      { name: 'nom', type: 'text' },
      { name: 'code', type: 'number' },
    ]);
    expect(guessLabelField(read.fields)).toBe('nom');
    const db = openMemoryProjectDb();
    const layer = addBoundaryLayer(db, read, { source });
    expect(layer).toMatchObject({ name: 'districts', featureCount: 2, labelField: 'nom', crs: 'EPSG:4326' });
    expect(db.prepare('SELECT label FROM boundary_features ORDER BY fid').all()).toEqual([
      { label: 'Île de Nantes' },
      { label: 'Doulon' },
    ]);
    setLabelField(db, layer.id, 'code');
    expect(db.prepare('SELECT label FROM boundary_features ORDER BY fid').all()).toEqual([
      { label: '44109' },
      { label: '44110' },
    ]);
    expect(() => setLabelField(db, layer.id, 'missing')).toThrow(
      expect.objectContaining({ code: 'BOUNDARY_FIELD_NOT_FOUND' }),
    );
    expect(listBoundaryLayers(db)[0].labelField).toBe('code');
  });

  it('reads the same districts from a zipped Shapefile, its file set, a GeoPackage and a FlatGeobuf in other CRSs', async () => {
    const reference = await areasOf(source);
    // A square of 0.02° at 47°N is about 1.5 km x 2.2 km.
    expect(reference[1]).toBeGreaterThan(3.0e6);
    expect(reference[1]).toBeLessThan(3.6e6);
    const shpDir = path.join(dir, 'shp');
    gdal(shpDir, 'ESRI Shapefile', 2154, ['-nln', 'quartiers', '-lco', 'ENCODING=UTF-8']);
    const zip = path.join(dir, 'quartiers.zip');
    fs.writeFileSync(
      zip,
      zipSync(
        Object.fromEntries(
          fs.readdirSync(shpDir).map((n) => [`quartiers/${n}`, fs.readFileSync(path.join(shpDir, n))]),
        ),
      ),
    );
    const gpkg = gdal('districts.gpkg', 'GPKG', 3857, ['-nln', 'quartiers']);
    const fgb = gdal('districts.fgb', 'FlatGeobuf', 32630);
    for (const file of [zip, path.join(shpDir, 'quartiers.shp'), gpkg, fgb]) {
      const read = await readBoundaryFile(file);
      expect(read.features, file).toHaveLength(2);
      // FlatGeobuf's spatial index may reorder features.
      expect(read.features.map((f) => f.properties.nom).sort()).toEqual(['Doulon', 'Île de Nantes']);
      const areas = await areasOf(file);
      areas.forEach((a, i) => expect(Math.abs(a - reference[i]) / reference[i], file).toBeLessThan(1e-6));
    }
    expect((await readBoundaryFile(zip)).crs.code).toBe('EPSG:2154');
    expect((await readBoundaryFile(gpkg)).layerName).toBe('quartiers');
    expect((await readBoundaryFile(fgb)).crs.code).toBe('EPSG:32630');
  });

  it('refuses bad layers with their own code, and stores nothing', async () => {
    const refused = async (file: string, code: string, options = {}): Promise<void> => {
      const db = openMemoryProjectDb();
      await expect(
        readBoundaryFile(file, options).then((read) => addBoundaryLayer(db, read, { source: file })),
        path.basename(file),
      ).rejects.toMatchObject({ code, message: expect.stringMatching(/\.$/) });
      expect(listBoundaryLayers(db)).toEqual([]);
    };
    const line = {
      type: 'Feature',
      properties: {},
      geometry: {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
    };
    await refused(
      write('roads.geojson', { type: 'FeatureCollection', features: [line] }),
      'BOUNDARY_NOT_POLYGONS',
    );
    await refused(
      write('broken.geojson', '{"type": "FeatureCollection", "features": ['),
      'BOUNDARY_UNREADABLE',
    );
    await refused(write('empty.geojson', { type: 'FeatureCollection', features: [] }), 'BOUNDARY_EMPTY');
    // Projected coordinates in a GeoJSON that names no CRS: RFC 7946 says WGS 84, the numbers say otherwise.
    const utm = {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: square(551000, 5353000, 100) },
    };
    await refused(write('utm.geojson', { type: 'FeatureCollection', features: [utm] }), 'BOUNDARY_NO_CRS');
    await refused(
      write('odd.geojson', {
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name: 'local grid' } },
        features: [utm],
      }),
      'BOUNDARY_NO_CRS',
    );
    // A Shapefile without its .prj.
    const noPrj = path.join(dir, 'noprj');
    gdal(noPrj, 'ESRI Shapefile', 2154, ['-nln', 'lots']);
    fs.rmSync(path.join(noPrj, 'lots.prj'));
    await refused(path.join(noPrj, 'lots.shp'), 'BOUNDARY_NO_CRS');
    // A GeoPackage of points, a damaged FlatGeobuf, a zip without a Shapefile, a format ChangeMap does not read.
    const points = write('points.geojson', {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 47] } }],
    });
    const pointsGpkg = path.join(dir, 'points.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', pointsGpkg, points], { stdio: 'ignore' });
    await refused(pointsGpkg, 'BOUNDARY_NOT_POLYGONS');
    const fgb = fs.readFileSync(gdal('cut.fgb', 'FlatGeobuf', 4326));
    await refused(write('cut.fgb', fgb.subarray(0, 120) as unknown as string), 'BOUNDARY_UNREADABLE');
    fs.writeFileSync(
      path.join(dir, 'nothing.zip'),
      zipSync({ 'readme.txt': new TextEncoder().encode('hi') }),
    );
    await refused(path.join(dir, 'nothing.zip'), 'BOUNDARY_UNREADABLE');
    await refused(write('parcels.kml', '<kml/>'), 'BOUNDARY_FORMAT_UNKNOWN');
    await refused(path.join(dir, 'missing.geojson'), 'NOT_FOUND');
    await refused(gpkgPath(), 'BOUNDARY_LAYER_NOT_FOUND', { layer: 'nope' });
  });
});

function gpkgPath(): string {
  return path.join(dir, 'districts.gpkg');
}
