// VRT files as GDAL writes and reads them: comments, CDATA, entities, either quote style, source order.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from './geotiffSource';
import { openImagerySet } from './imagerySet';
import { sceneData, utmGrid, writeFixture } from './testing/fixtures';
import { gdalInfo } from './testing/gdal';

const dir = mkdtempSync(join(tmpdir(), 'cm-vrt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);

const UTM33N_WKT =
  'PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],' +
  'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],' +
  'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],' +
  'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","32633"]]';

describe('VRT files', () => {
  it('reads comments, CDATA, entities and single quotes as GDAL does (gdalinfo agrees)', async () => {
    const grid = utmGrid(64, 48);
    const data = sceneData(grid, 2, 'uint8');
    await writeFixture(file('a&b tile.tif'), grid, 2, data);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- <VRTDataset rasterXSize="1" rasterYSize="1"> a commented-out header must not be read -->
<VRTDataset rasterXSize='64' rasterYSize="48">
  <SRS dataAxisToSRSAxisMapping="1,2"><![CDATA[${UTM33N_WKT}]]></SRS>
  <GeoTransform> 5.0e5, 10, 0, 5600000, 0, -10 </GeoTransform>
  <VRTRasterBand dataType='Byte' band='1'>
    <ColorInterp>Gray</ColorInterp>
    <!-- <ComplexSource><SourceFilename>missing.tif</SourceFilename></ComplexSource> -->
    <SimpleSource>
      <SourceFilename relativeToVRT='1'>a&amp;b&#32;tile.tif</SourceFilename>
      <SourceBand>2</SourceBand>
      <SrcRect xOff="0" yOff="0" xSize="64" ySize="48"/><DstRect xOff="0" yOff="0" xSize="64" ySize="48"/>
    </SimpleSource>
  </VRTRasterBand>
</VRTDataset>`;
    writeFileSync(file('quirks.vrt'), xml);
    const vrt = await openImagerySet([file('quirks.vrt')]);
    const info = gdalInfo(file('quirks.vrt'));
    expect([vrt.metadata.grid.width, vrt.metadata.grid.height]).toEqual(info.size);
    expect(vrt.metadata.grid.geoTransform).toEqual(info.geoTransform);
    expect(vrt.metadata.grid.crs.code).toBe('EPSG:32633');
    expect(vrt.metadata.bandCount).toBe(info.bands.length);
    const read = await vrt.readWindow({ x: 0, y: 0, width: 64, height: 48 });
    expect(Array.from(read.data)).toEqual(Array.from(data.subarray(64 * 48)));
    expect(vrt.metadata.uris[1]).toBe(file('a&b tile.tif'));
    await vrt.close();
  });

  it('sources draw in document order: a simple source after a complex one draws over it', async () => {
    const grid = utmGrid(32, 32);
    const ones = new Uint8Array(32 * 32).fill(10);
    const twos = new Uint8Array(32 * 32).fill(20);
    await writeFixture(file('ten.tif'), grid, 1, ones);
    await writeFixture(file('twenty.tif'), grid, 1, twos);
    const source = (kind: string, name: string, x: number) =>
      `<${kind}><SourceFilename relativeToVRT="1">${name}</SourceFilename><SourceBand>1</SourceBand>` +
      `<SrcRect xOff="0" yOff="0" xSize="16" ySize="32"/><DstRect xOff="${x}" yOff="0" xSize="16" ySize="32"/></${kind}>`;
    writeFileSync(
      file('order.vrt'),
      `<VRTDataset rasterXSize="24" rasterYSize="32"><SRS>EPSG:32633</SRS>
<GeoTransform>500000, 10, 0, 5600000, 0, -10</GeoTransform><VRTRasterBand dataType="Byte" band="1">
${source('ComplexSource', 'ten.tif', 0)}${source('SimpleSource', 'twenty.tif', 8)}</VRTRasterBand></VRTDataset>`,
    );
    const vrt = await openImagerySet([file('order.vrt')]);
    const row = Array.from((await vrt.readWindow({ x: 0, y: 5, width: 24, height: 1 })).data);
    expect(row).toEqual([...new Array(8).fill(10), ...new Array(16).fill(20)]);
    const gdal = gdalInfo(file('order.vrt'));
    const tif = file('order-gdal.tif');
    const { execFileSync } = await import('node:child_process');
    execFileSync('gdal_translate', ['-q', file('order.vrt'), tif]);
    const reference = await openGeoTiff(tif);
    expect(Array.from((await reference.readWindow({ x: 0, y: 5, width: 24, height: 1 })).data)).toEqual(row);
    expect(gdal.size).toEqual([24, 32]);
    await reference.close();
    await vrt.close();
  });

  it('a VRT without SRS and GeoTransform is in pixel space', async () => {
    const grid = utmGrid(16, 16);
    await writeFixture(file('plain.tif'), grid, 1, new Uint8Array(256).fill(7));
    writeFileSync(
      file('pixels.vrt'),
      `<VRTDataset rasterXSize="16" rasterYSize="16"><VRTRasterBand dataType="Byte" band="1"><SimpleSource>
<SourceFilename relativeToVRT="1">plain.tif</SourceFilename></SimpleSource></VRTRasterBand></VRTDataset>`,
    );
    const vrt = await openImagerySet([file('pixels.vrt')]);
    expect(vrt.metadata.grid.crs.code).toBeNull();
    expect(vrt.metadata.grid.geoTransform).toEqual([0, 1, 0, 0, 0, -1]);
    await vrt.close();
  });

  it('broken XML and bad headers are refused with a reason', async () => {
    writeFileSync(
      file('broken.vrt'),
      '<VRTDataset rasterXSize="4" rasterYSize="4"><VRTRasterBand></VRTDataset>',
    );
    await expect(openImagerySet([file('broken.vrt')])).rejects.toMatchObject({
      code: 'VRT_INVALID',
      message: expect.stringMatching(/not valid XML.*line 1/),
    });
    writeFileSync(file('nosize.vrt'), '<VRTDataset><VRTRasterBand dataType="Byte"/></VRTDataset>');
    await expect(openImagerySet([file('nosize.vrt')])).rejects.toMatchObject({
      code: 'VRT_INVALID',
      message: expect.stringContaining('raster size'),
    });
    writeFileSync(file('other.vrt'), '<OGRVRTDataSource/>');
    await expect(openImagerySet([file('other.vrt')])).rejects.toMatchObject({ code: 'VRT_INVALID' });
    writeFileSync(
      file('warped.vrt'),
      "<VRTDataset subClass='VRTWarpedDataset' rasterXSize='4' rasterYSize='4'></VRTDataset>",
    );
    await expect(openImagerySet([file('warped.vrt')])).rejects.toMatchObject({ code: 'VRT_UNSUPPORTED' });
  });
});
