export {
  type AggregateLimits,
  defaultAggregateLimits,
  type ImportAggregateOptions,
  importAggregate,
} from './import-aggregate.js';
export type {
  EntityProblem,
  IdentityProviderRole,
  ImportedAggregate,
  ImportedEntity,
} from './imported-entity.js';
export { entityCategoryAttribute, type RegistrationFilter } from './registration-filter.js';
