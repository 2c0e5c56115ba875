-- samlkit store schema, version 3: providers a metadata source owns.
-- owner names the source (a federation aggregate, a metadata query service) that stored a
-- provider through replaceOwnedProviders; it is NULL for providers registered by hand, which a
-- source never touches. A source replaces all of its providers in one transaction.
ALTER TABLE samlkit_providers ADD COLUMN owner text;
CREATE INDEX samlkit_providers_owner ON samlkit_providers (owner) WHERE owner IS NOT NULL;
