import type { InputIssues } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import {
  expectKnownKeys,
  expectList,
  expectOneOf,
  expectOptionalString,
  expectRecord,
  expectString,
  type OptionPath,
} from './option-shape.js';

/** `contactType` values of SAMLMeta §2.3.2.2. */
export type ContactType = 'technical' | 'support' | 'administrative' | 'billing' | 'other';

const contactTypes: readonly ContactType[] = ['technical', 'support', 'administrative', 'billing', 'other'];

/** An `md:ContactPerson` (SAMLMeta §2.3.2.2). */
export interface ContactPersonInput {
  contactType: ContactType;
  company?: string;
  givenName?: string;
  surName?: string;
  /** `alice@example.org` or `mailto:alice@example.org`; written as a `mailto:` URI (EmailAddress is xs:anyURI). */
  emailAddresses?: readonly string[];
  telephoneNumbers?: readonly string[];
  /**
   * `remd:contactType` (REFEDS Security Contact Metadata Extension), e.g.
   * `http://refeds.org/metadata/contactType/security` for the security contact that
   * Sirtfi and many federations require; the contact's `contactType` must then be `other`.
   */
  remdContactType?: string;
}

// One address, no display name or list: what a mailto: URI of one recipient holds (RFC 6068).
const emailAddress = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

function strings(value: unknown, path: OptionPath): string[] {
  return value === undefined
    ? []
    : expectList(value, path).map((item, i) => expectString(item, [...path, i]));
}

/** The `md:ContactPerson` elements of the EntityDescriptor, after `md:Organization`. */
export function buildContactPersons(input: unknown, issues: InputIssues): XmlElement[] {
  if (input === undefined) return [];
  const path: OptionPath = ['contacts'];
  return expectList(input, path).map((raw, index) => {
    const at = [...path, index];
    const contact = expectRecord(raw, at);
    expectKnownKeys(
      contact,
      [
        'contactType',
        'company',
        'givenName',
        'surName',
        'emailAddresses',
        'telephoneNumbers',
        'remdContactType',
      ],
      at,
    );
    const contactType = expectOneOf(contact.contactType, contactTypes, [...at, 'contactType']);
    const remdContactType = expectOptionalString(contact.remdContactType, [...at, 'remdContactType']);
    if (remdContactType !== undefined) {
      issues.check(
        /^[a-z][a-z0-9+.-]*:\S+$/i.test(remdContactType),
        [...at, 'remdContactType'],
        'must be a URI',
      );
      issues.check(contactType === 'other', [...at, 'contactType'], "must be 'other' with a remdContactType");
    }
    const text = (name: 'company' | 'givenName' | 'surName') => {
      const value = expectOptionalString(contact[name], [...at, name]);
      issues.check(value === undefined || value.trim().length > 0, [...at, name], 'must not be empty');
      return value;
    };
    const company = text('company');
    const givenName = text('givenName');
    const surName = text('surName');
    const emails = strings(contact.emailAddresses, [...at, 'emailAddresses']).map((value, i) => {
      const address = value.startsWith('mailto:') ? value.slice('mailto:'.length) : value;
      issues.check(emailAddress.test(address), [...at, 'emailAddresses', i], 'is not an email address');
      return `mailto:${address}`;
    });
    const phones = strings(contact.telephoneNumbers, [...at, 'telephoneNumbers']);
    phones.forEach((phone, i) => {
      issues.check(phone.trim().length > 0, [...at, 'telephoneNumbers', i], 'must not be empty');
    });
    issues.check(
      [company, givenName, surName].some((v) => v !== undefined) || emails.length + phones.length > 0,
      at,
      'needs a name, a company, an email address or a telephone number',
    );
    // SAMLMeta schema order: Company, GivenName, SurName, EmailAddress*, TelephoneNumber*.
    return element('md:ContactPerson', { contactType, 'remd:contactType': remdContactType }, [
      company === undefined ? undefined : element('md:Company', {}, [company]),
      givenName === undefined ? undefined : element('md:GivenName', {}, [givenName]),
      surName === undefined ? undefined : element('md:SurName', {}, [surName]),
      ...emails.map((email) => element('md:EmailAddress', {}, [email])),
      ...phones.map((phone) => element('md:TelephoneNumber', {}, [phone])),
    ]);
  });
}
