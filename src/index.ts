/** The public API for extension authors and embedders: `import { defineExtension } from 'extgate'`. */
export { defineExtension, type ExtensionDefinition, type ExtensionLink } from './extension/define.ts';
export { configuredOptions, createGateway, loadRegistry, seedStore } from './gateway.ts';
export { openSqliteStore } from './store/sqlite.ts';
export { systemClock, ManualClock } from './core/clock.ts';
export { listen } from './server.ts';
export { buildRegistry, type Registry, type VersionView, type ApiVersion } from './extension/registry.ts';
export { parseConfig, loadConfig, type Config } from './config.ts';
export { Fault, badRequest, conflictingRequest, itemNotFound } from './media/fault.ts';
export { attribute, text, values, list, map, shape, ownedShape, input, type Check, type Value } from './model/shape.ts';
export type * from './extension/contract.ts';
export { COMPUTE_NS } from './media/namespaces.ts';
export { xmlCodec, jsonCodec, type Codec } from './media/codecs.ts';
export { escapeAttr, escapeText, XML_DECLARATION } from './media/xml.ts';
export { ATOM_NS } from './media/namespaces.ts';
export { isoSeconds } from './core/clock.ts';
export { metadataCheck } from './core/shapes.ts';
export { UUID } from './core/shapes.ts';
