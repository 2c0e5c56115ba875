export interface AggregateOptions {
  /** Number of EntityDescriptors. */
  entities: number;
  /** The federation's signing key and certificate (PEM). */
  privateKeyPem: string;
  certificatePem: string;
  /** Certificates (PEM or base64) the entities' KeyDescriptors carry, used in turn. */
  spCertificates: readonly string[];
  id?: string;
  name?: string;
  validUntil?: Date;
  cacheDuration?: string;
  /** Every n-th entity is an IdP; 0 for none. Default 50. */
  identityProviderEvery?: number;
  /** Indexes of SPs written with a relative ACS Location (an invalid entity). */
  badEntities?: readonly number[];
  /** How many of the last entities sit in a nested EntitiesDescriptor. */
  nested?: number;
  nestedValidUntil?: Date;
}

export interface GeneratedAggregate {
  xml: string;
  /** Every entityID, in document order. */
  entityIds: string[];
  identityProviderIds: string[];
}

export declare const categories: {
  researchAndScholarship: string;
  codeOfConduct: string;
  personalized: string;
};
export declare const entityCategoryName: string;
export declare function generateAggregate(input: AggregateOptions): GeneratedAggregate;
