import { Parser } from 'saxen';
import type { DiagramProblem } from './types';

/**
 * How deep and how large a diagram may be. Our largest (after-sales.bpmn) nests 6 levels with 354 elements and 697
 * attributes; a subprocess inside a subprocess adds a level. moddle needs ~0.35 s for 10,000 elements, 1 s for 100,000
 * attributes and 4 s and gigabytes for 200,000 nested elements: the limits keep a deploy well under a second.
 */
export const MAX_XML_DEPTH = 64;
export const MAX_XML_ELEMENTS = 10_000;
export const MAX_XML_ATTRIBUTES = 30_000;

/**
 * Issue 11 item 6: one streaming pass of the SAX tokenizer (saxen, what moddle itself reads XML with) counts nesting and
 * elements BEFORE the diagram is parsed into objects, and stops at the first limit crossed: a 200,000-deep diagram is
 * refused in milliseconds instead of blocking the event loop for seconds. Malformed XML is left to the real parser.
 */
export function xmlLimitProblems(xml: string): DiagramProblem[] {
  const problems: DiagramProblem[] = [];
  const parser = new Parser();
  let depth = 0;
  let elements = 0;
  let attributes = 0;
  const refuse = (message: string, context: () => { line: number }) => {
    problems.push({ path: 'xml', message: `${message} (line ${context().line + 1})`, rule: 'xml-limits' });
    parser.stop();
  };
  parser.on('openTag', (_name, attributesOf, _decode, _selfClosing, context) => {
    if (++elements > MAX_XML_ELEMENTS) return refuse(`the diagram has more than ${MAX_XML_ELEMENTS} XML elements, the most a deploy takes`, context);
    if (++depth > MAX_XML_DEPTH) return refuse(`the diagram nests XML elements deeper than ${MAX_XML_DEPTH} levels, the most a deploy takes`, context);
    attributes += Object.keys(attributesOf()).length;
    if (attributes > MAX_XML_ATTRIBUTES) refuse(`the diagram has more than ${MAX_XML_ATTRIBUTES} XML attributes, the most a deploy takes`, context);
  });
  parser.on('closeTag', () => {
    depth--;
  });
  // well-formedness is the parser's to report, with its own message
  parser.on('error', () => parser.stop());
  parser.parse(xml);
  return problems;
}
