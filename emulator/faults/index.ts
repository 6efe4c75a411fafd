export * from './fault.types';
export { parseFaultSpec, MAX_FAULT_LATENCY_MS } from './fault-spec.parser';
export { FaultRegistry, type FaultRequest, type TakenFault } from './fault-registry';
export { applyFault, DEFAULT_FAULT_CHUNK_BYTES, type FaultTarget } from './fault-injector';
export { ADMIN_PATH_PREFIX, FAULTS_ADMIN_PATH, isAdminPath, serveFaultAdmin } from './fault-admin.endpoint';
export { brokenXml, delayAnswer, malformAnswer, paceBody, resetAfterHeaders } from './response-interceptors';
export { ProcessingDelays } from './processing-delays';
