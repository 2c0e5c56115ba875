export {
  type CanonicalStream,
  canonicalize,
  createCanonicalStream,
  element,
  escapeAttribute,
  escapeText,
  isXmlText,
  serialize,
  type XmlAttribute,
  type XmlElement,
  type XmlNamespaceDeclaration,
} from './build.js';
export { carriedParse, carryParse, parseCarried } from './carried-parse.js';
export { carriedTree, carriedTreeAndText, carriesCheckedDestination, carryTree } from './carried-tree.js';
export { elementFromDom } from './from-dom.js';
export { defaultXmlLimits, type ParsedXml, parseXml, screenXml, type XmlLimits } from './parse.js';
export {
  type AggregateReadLimits,
  type AggregateVisitor,
  copyString,
  readAggregate,
  type StreamedElement,
} from './read-aggregate.js';
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
