// Worker entry: map tiles (GeoTIFF decoding, resampling, colouring, PNG encoding) off the main thread.
import { parentPort } from 'node:worker_threads';
import { serveTiles } from '../services/preview/tileHost';
import { nodeRpcPort } from '../services/workerEntry';

if (!parentPort) throw new Error('rasterTiles.worker must run as a worker thread.');
serveTiles(nodeRpcPort(parentPort));
