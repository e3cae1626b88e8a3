// Worker entry: ONNX Runtime inference off the main thread.
import { parentPort } from 'node:worker_threads';
import { serveInference } from '../services/inference/inferenceHost';
import { nodeRpcPort } from '../services/workerEntry';

if (!parentPort) throw new Error('inference.worker must run as a worker thread.');
serveInference(nodeRpcPort(parentPort));
