export {
  canonicalize,
  element,
  isXmlText,
  serialize,
  type XmlAttribute,
  type XmlElement,
  type XmlNamespaceDeclaration,
} from './build.js';
export { elementFromDom } from './from-dom.js';
export { defaultXmlLimits, type ParsedXml, parseXml, type XmlLimits } from './parse.js';
export {
  parseXmlCached,
  parseXmlRemembered,
  recallTree,
  rememberParsed,
  rememberTree,
  serializeBuilt,
} from './recent.js';
export {
  attribute,
  childElements,
  childrenNamed,
  type Element,
  isElement,
  optionalChild,
  readText,
  selectElements,
} from './select.js';
