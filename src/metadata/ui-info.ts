import { type InputIssues, isHttpUrl } from '../message/build-input.js';
import { element, type XmlElement } from '../xml/index.js';
import { buildLocalizedElements, isLanguageTag, type LocalizedValues } from './localized-values.js';
import {
  expectKnownKeys,
  expectList,
  expectNumber,
  expectOptionalString,
  expectRecord,
  expectString,
  type OptionPath,
} from './option-shape.js';

/** A `mdui:Logo`: an https URL (or a `data:image/…` URI) and its size in pixels. */
export interface UiLogo {
  url: string;
  width: number;
  height: number;
  /** `xml:lang` of a logo that carries text; omit for one that suits every language. */
  lang?: string;
}

/**
 * `mdui:UIInfo` (SAML V2.0 Metadata Extensions for Login and Discovery User
 * Interface §2.1): what discovery services and SP login pages show of the IdP.
 * Each text is keyed by `xml:lang`.
 */
export interface UiInfoInput {
  displayName?: LocalizedValues;
  description?: LocalizedValues;
  /** Keywords per language; a keyword cannot contain spaces (write `+` instead, as §2.1.4 says). */
  keywords?: Readonly<Record<string, readonly string[]>>;
  logos?: readonly UiLogo[];
  informationUrl?: LocalizedValues;
  privacyStatementUrl?: LocalizedValues;
}

const uiInfoKeys = [
  'displayName',
  'description',
  'keywords',
  'logos',
  'informationUrl',
  'privacyStatementUrl',
] as const;

function buildKeywords(input: unknown, path: OptionPath, issues: InputIssues): XmlElement[] {
  return Object.entries(expectRecord(input, path)).map(([lang, raw]) => {
    const at = [...path, lang];
    const words = expectList(raw, at).map((word, index) => expectString(word, [...at, index]));
    issues.check(isLanguageTag(lang), at, 'is not a language tag (xs:language, e.g. en or pt-BR)');
    issues.check(words.length > 0, at, 'needs at least one keyword');
    words.forEach((word, index) => {
      issues.check(/^\S+$/.test(word), [...at, index], 'must be one word (write spaces as +)');
    });
    return element('mdui:Keywords', { 'xml:lang': lang }, [words.join(' ')]);
  });
}

function buildLogo(input: unknown, path: OptionPath, issues: InputIssues): XmlElement {
  const logo = expectRecord(input, path);
  expectKnownKeys(logo, ['url', 'width', 'height', 'lang'], path);
  const url = expectString(logo.url, [...path, 'url']);
  issues.check(
    isHttpUrl(url) || /^data:image\/[\w.+-]+[;,]/.test(url),
    [...path, 'url'],
    'must be an absolute http(s) URL or a data:image/ URI',
  );
  const size = (name: 'width' | 'height') => {
    const value = expectNumber(logo[name], [...path, name]);
    issues.check(
      Number.isSafeInteger(value) && value > 0,
      [...path, name],
      'must be a positive whole number of pixels',
    );
    return String(value);
  };
  const height = size('height');
  const width = size('width');
  const lang = expectOptionalString(logo.lang, [...path, 'lang']);
  issues.check(lang === undefined || isLanguageTag(lang), [...path, 'lang'], 'is not a language tag');
  return element('mdui:Logo', { height, width, 'xml:lang': lang }, [url]);
}

/**
 * The `mdui:UIInfo` element for the IDPSSODescriptor's `md:Extensions` (§2.1:
 * it describes a role, not the entity), or nothing when no field is given.
 */
export function buildUiInfo(input: unknown, issues: InputIssues): XmlElement | undefined {
  if (input === undefined) return undefined;
  const path: OptionPath = ['uiInfo'];
  const info = expectRecord(input, path);
  expectKnownKeys(info, uiInfoKeys, path);
  const localized = (name: (typeof uiInfoKeys)[number], qname: `mdui:${string}`, kind: 'text' | 'url') =>
    info[name] === undefined
      ? []
      : buildLocalizedElements(qname, info[name], { path: [...path, name], issues, kind });
  const children = [
    ...localized('displayName', 'mdui:DisplayName', 'text'),
    ...localized('description', 'mdui:Description', 'text'),
    ...(info.keywords === undefined ? [] : buildKeywords(info.keywords, [...path, 'keywords'], issues)),
    ...(info.logos === undefined
      ? []
      : expectList(info.logos, [...path, 'logos']).map((logo, index) =>
          buildLogo(logo, [...path, 'logos', index], issues),
        )),
    ...localized('informationUrl', 'mdui:InformationURL', 'url'),
    ...localized('privacyStatementUrl', 'mdui:PrivacyStatementURL', 'url'),
  ];
  return children.length === 0 ? undefined : element('mdui:UIInfo', {}, children);
}
