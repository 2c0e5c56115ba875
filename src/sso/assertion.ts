import { confirmationMethods } from '../constants/saml.js';
import type { NameIdValue } from '../message/header.js';
import { element, type XmlElement } from '../xml/index.js';

/** Everything an Assertion says, resolved to strings (instants already formatted). */
export interface AssertionFields {
  id: string;
  issueInstant: string;
  issuer: string;
  nameId: NameIdValue;
  /** The bearer SubjectConfirmationData (SAMLProf §4.1.4.2). */
  confirmation: { recipient: string; notOnOrAfter: string; inResponseTo?: string };
  conditions: { notBefore: string; notOnOrAfter: string; audience: string };
  authn: { authnInstant: string; sessionIndex: string; sessionNotOnOrAfter: string; classRef: string };
  attributeStatement?: XmlElement;
}

/**
 * The unsigned Assertion tree (SAMLCore §2.3.3), children in schema order:
 * Issuer, Subject, Conditions, AuthnStatement, AttributeStatement. A signature
 * goes after the Issuer (`signTree`). Attribute order follows authentik's.
 */
export function buildAssertionTree(fields: AssertionFields): XmlElement {
  const { nameId, confirmation, conditions, authn } = fields;
  return element('saml:Assertion', { Version: '2.0', ID: fields.id, IssueInstant: fields.issueInstant }, [
    element('saml:Issuer', {}, [fields.issuer]),
    element('saml:Subject', {}, [
      element(
        'saml:NameID',
        {
          NameQualifier: nameId.nameQualifier,
          SPNameQualifier: nameId.spNameQualifier,
          Format: nameId.format,
          SPProvidedID: nameId.spProvidedId,
        },
        [nameId.value],
      ),
      element('saml:SubjectConfirmation', { Method: confirmationMethods.bearer }, [
        // No NotBefore here: SAMLProf §4.1.4.2 forbids it on bearer confirmation data.
        element('saml:SubjectConfirmationData', {
          InResponseTo: confirmation.inResponseTo,
          NotOnOrAfter: confirmation.notOnOrAfter,
          Recipient: confirmation.recipient,
        }),
      ]),
    ]),
    element('saml:Conditions', { NotBefore: conditions.notBefore, NotOnOrAfter: conditions.notOnOrAfter }, [
      element('saml:AudienceRestriction', {}, [element('saml:Audience', {}, [conditions.audience])]),
    ]),
    element(
      'saml:AuthnStatement',
      {
        AuthnInstant: authn.authnInstant,
        SessionIndex: authn.sessionIndex,
        SessionNotOnOrAfter: authn.sessionNotOnOrAfter,
      },
      [element('saml:AuthnContext', {}, [element('saml:AuthnContextClassRef', {}, [authn.classRef])])],
    ),
    fields.attributeStatement,
  ]);
}
