import { type Element, elementFromDom, serialize, type XmlElement } from '../xml/index.js';

function qualifiedName(node: XmlElement): string {
  return node.prefix === null ? node.localName : `${node.prefix}:${node.localName}`;
}

function render(node: XmlElement, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const children = node.children.filter((child): child is XmlElement => typeof child !== 'string');
  const text = node.children.filter((child): child is string => typeof child === 'string').join('');
  // Text-only and mixed-content elements are printed exactly; only whitespace between child elements is re-indented.
  if (children.length === 0 || text.trim() !== '') {
    lines.push(indent + serialize(node));
    return;
  }
  lines.push(indent + serialize({ ...node, children: [] }).replace(/\/>$/, '>'));
  for (const child of children) render(child, depth + 1, lines);
  lines.push(`${indent}</${qualifiedName(node)}>`);
}

/**
 * An indented rendering of a parsed element for reading. It is not the
 * signed bytes: whitespace between elements changes and comments are left out.
 */
export function prettyXml(root: Element): string {
  const lines: string[] = [];
  render(elementFromDom(root), 0, lines);
  return lines.join('\n');
}
