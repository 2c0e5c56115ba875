export {
  canonicalize,
  element,
  isXmlText,
  serialize,
  type XmlAttribute,
  type XmlElement,
  type XmlNamespaceDeclaration,
} from './build.js';
export { carriedParse, carryParse, parseCarried } from './carried-parse.js';
export { elementFromDom } from './from-dom.js';
export { defaultXmlLimits, type ParsedXml, parseXml, type XmlLimits } from './parse.js';
export {
  attribute,
  childElements,
  childrenNamed,
  type Element,
  isElement,
  optionalChild,
  readText,
} from './select.js';
export { evaluateXPath, type SelectedNode } from './xpath.js';
