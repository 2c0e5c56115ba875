import { createMemoryStore } from '../../src/index.js';
import { runStoreConformance } from '../support/store-conformance.js';

runStoreConformance('memory', () => createMemoryStore());
