import { describe, expect, it } from 'vitest';
import { acquisitionDate, dateFromFileName, normaliseDate } from './acquisitionDate';

describe('acquisition dates', () => {
  it('normalises ISO, TIFF and compact dates and refuses impossible ones', () => {
    expect(normaliseDate('2020-03-15')).toBe('2020-03-15');
    expect(normaliseDate('2020-03-15T10:11:12.000Z')).toBe('2020-03-15');
    expect(normaliseDate('2020:03:15 10:11:12')).toBe('2020-03-15');
    expect(normaliseDate('20200315')).toBe('2020-03-15');
    expect(normaliseDate('20200315T101021')).toBe('2020-03-15');
    expect(normaliseDate('2021-02-29')).toBeNull();
    expect(normaliseDate('2020-13-01')).toBeNull();
    expect(normaliseDate('yesterday')).toBeNull();
  });

  it('finds the acquisition date in Sentinel-2, Landsat and plain file names', () => {
    expect(dateFromFileName('/data/S2A_MSIL2A_20200315T101021_N0214_R022_T32TQM_20200316T130000.tif')).toBe(
      '2020-03-15',
    );
    expect(dateFromFileName('LC08_L1TP_044034_20190701_20190705_01_T1.tif')).toBe('2019-07-01');
    expect(dateFromFileName('C:\\imagery\\ortho_2018-05-04_rgb.png')).toBe('2018-05-04');
    expect(dateFromFileName('flight_2018_05_04.jpg')).toBe('2018-05-04');
    expect(dateFromFileName('im1.png')).toBeNull();
    expect(dateFromFileName('tile_123456789.tif')).toBeNull();
    expect(dateFromFileName('tile_20201345.tif')).toBeNull();
  });

  it('prefers acquisition metadata, then the file name, then the file timestamp', () => {
    const fileDateTime = '2024:01:02 03:04:05';
    expect(
      acquisitionDate({
        metadata: { acquisitionDateTime: '2019-08-09T10:00:00Z', TIFFTAG_DATETIME: '2024:01:02 00:00:00' },
        fileName: 'S2B_MSIL1C_20200101T000000.tif',
        fileDateTime,
      }),
    ).toBe('2019-08-09');
    expect(acquisitionDate({ metadata: {}, fileName: 'S2B_MSIL1C_20200101T000000.tif', fileDateTime })).toBe(
      '2020-01-01',
    );
    expect(
      acquisitionDate({ metadata: { TIFFTAG_DATETIME: '2023:11:12 00:00:00' }, fileName: 'a.tif' }),
    ).toBe('2023-11-12');
    expect(acquisitionDate({ fileName: 'a.tif', fileDateTime })).toBe('2024-01-02');
    expect(acquisitionDate({ fileName: 'a.tif' })).toBeNull();
  });
});
