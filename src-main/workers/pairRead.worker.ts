// Worker entry: a run's reading (GeoTIFF decoding, alignment, validity) off the main thread.
import { parentPort } from 'node:worker_threads';
import { servePairReads } from '../services/runs/pairReadHost';
import { nodeRpcPort } from '../services/workerEntry';

if (!parentPort) throw new Error('pairRead.worker must run as a worker thread.');
servePairReads(nodeRpcPort(parentPort));
