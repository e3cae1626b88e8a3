// XML documents as a small element tree, parsed by fast-xml-parser (comments dropped, CDATA and entities resolved,
// single- or double-quoted attributes), with document order kept: a VRT band's sources draw in the order written.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text content (CDATA included), trimmed. */
  text: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // Numeric character references (&#65; &#x41;) besides the five XML entities.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
});

/** The document's root element, or an error message naming what is wrong with the XML. */
export function parseXml(xml: string): XmlElement | { error: string } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { error: `${valid.err.msg} (line ${valid.err.line})` };
  const nodes = parser.parse(xml) as OrderedNode[];
  const root = nodes.map(toElement).find((e): e is XmlElement => e !== null);
  return root ?? { error: 'the file holds no XML element' };
}

function toElement(node: OrderedNode): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#cdata');
  if (!name) return null;
  const content = (node[name] as OrderedNode[]) ?? [];
  const children: XmlElement[] = [];
  let text = '';
  for (const child of content) {
    if ('#text' in child) text += String(child['#text']);
    else if ('#cdata' in child) text += cdataText(child['#cdata']);
    else {
      const element = toElement(child);
      if (element) children.push(element);
    }
  }
  return { name, attrs: node[':@'] ?? {}, children, text: text.trim() };
}

function cdataText(value: unknown): string {
  return Array.isArray(value) ? value.map((v) => String((v as OrderedNode)['#text'] ?? '')).join('') : '';
}

/** The first child element of that name. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every child element of one of these names, in document order. */
export function childrenNamed(element: XmlElement, ...names: string[]): XmlElement[] {
  return element.children.filter((c) => names.includes(c.name));
}
