import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The English texts the installed bpmn.io packages (the modeler's bpmn-js, diagram-js, properties panels, lint and
 * token simulation plugins) hand to `translate()`, read from their sources: literal `translate('…')` calls, the two
 * branches of `translate(cond ? 'a' : 'b')` and of `${cond ? 'a' : 'b'}` in a template, and the label tables whose
 * entries reach `translate(label)` (replace menu entries, listener and implementation labels, the panel header's
 * element type names). An upgrade that adds texts shows up here.
 */
const ROOT = join(__dirname, '..', '..', 'node_modules');

/** Where the texts live: folders of ES sources, or a package's one bundled file. */
const SOURCES = ['bpmn-js/lib', 'diagram-js/lib', 'bpmn-js-token-simulation/lib', 'bpmn-js-properties-panel/dist/index.esm.js', '@bpmn-io/properties-panel/dist/index.esm.js', 'bpmn-js-bpmnlint/dist/index.esm.js'];

function sourceFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(child);
    return entry.name.endsWith('.js') ? [child] : [];
  });
}

/** A quoted string literal; its text is group 1 or 2. */
const STRING = String.raw`'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"`;
const literals = (code: string) => [...code.matchAll(new RegExp(STRING, 'g'))].map((match) => (match[1] ?? match[2]).replace(/\\(.)/g, '$1'));
/** A call of translate / this._translate (not the SVG transform `'translate(' + x`). */
const CALL = String.raw`(?<![\w'"\x60])_?translate\(\s*`;

/** A template literal's texts: each `${c ? 'a' : 'b'}` gives both; other `${…}` are not texts to translate. */
function templateTexts(template: string): string[] {
  const choice = /\$\{[^{}?]*\?\s*'([^']*)'\s*:\s*'([^']*)'\s*\}/.exec(template);
  if (choice) {
    const [whole, a, b] = choice;
    return [a, b].flatMap((branch) => templateTexts(template.replace(whole, branch)));
  }
  return template.includes('${') ? [] : [template];
}

/**
 * `translate('Align elements ' + alignment)` inside `forEach(ALIGNMENT_OPTIONS, function(alignment) {…})`: one text per
 * value of the array. A variable it cannot resolve gives `…{?}`, which no dictionary has (the test then names it).
 */
function concatenated(source: string, text: string, variable: string): string[] {
  const loop = new RegExp(String.raw`forEach\(\s*([\w$]+)\s*,\s*function\(\s*${variable}\s*\)`).exec(source);
  const array = loop && new RegExp(String.raw`\b${loop[1]}\s*=\s*\[([^\]]*)\]`).exec(source);
  return array ? literals(array[1]).map((value) => text + value) : [`${text}{?}`];
}

/** The panel header's type label for a concrete type name (bpmn-js-properties-panel `getTypeLabel`). */
export const typeLabel = (concreteType: string) => concreteType.replace(/(\B[A-Z])/g, ' $1').replace(/(\bNon Interrupting)/g, '($1)');

/** Files whose entries' `label`s bpmn-js's ReplaceMenuProvider passes to translate(label). */
const LABEL_TABLES = ['bpmn-js/lib/features/popup-menu/PopupEntries.js', 'bpmn-js/lib/features/replace/ReplaceOptions.js'];

function textsIn(file: string, source: string): string[] {
  const texts: string[] = [];
  const all = (pattern: RegExp, pick: (match: RegExpExecArray) => string[]) => {
    for (const match of source.matchAll(new RegExp(pattern, 'g'))) texts.push(...pick(match as RegExpExecArray));
  };
  // translate('…'), this._translate("…"), translate('…' + '…'), translate('… ' + variable)
  all(new RegExp(String.raw`${CALL}((?:${STRING})(?:\s*\+\s*(?:${STRING}))*)(?:\s*\+\s*([\w$]+)\s*\))?`), (match) => {
    const text = literals(match[1]).join('');
    return match[6] ? concatenated(source, text, match[6]) : [text];
  });
  // translate(`…`)
  all(new RegExp(String.raw`${CALL}\x60([^\x60]*)\x60`), (match) => templateTexts(match[1]));
  // translate(cond ? 'a' : 'b'), translate(is(x, 'y') ? 'a' : 'b'), translate(\n (a || b)\n ? 'a'\n : 'b', …)
  all(new RegExp(String.raw`${CALL}(?:[\w.$]+(?:\([^()]*\))?|\([^()]*\))\s*\?\s*'([^']*)'\s*:\s*'([^']*)'`), (match) => [match[1], match[2]]);
  // the element entries of the popup menus and their label functions (bpmn-js PopupEntries, ReplaceOptions)
  if (LABEL_TABLES.some((table) => file.endsWith(table))) {
    all(new RegExp(String.raw`\blabel:\s*(?:${STRING})`), (match) => literals(match[0]));
    all(/var label = '([^']*)';\s*(?:[^;]*?\s*label \+= '([^']*)';)?/, (match) => (match[2] ? [match[1], match[1] + match[2]] : [match[1]]));
  }
  // texts kept in constants and passed as translate(NAME): `var COLLAB_ERR_MSG = '…'`, `IMPLEMENTATION_TYPE_…_LABEL = '…'`
  for (const name of source.matchAll(/translate\(\s*([A-Z][A-Z0-9_$]+)\s*\)/g)) {
    const value = new RegExp(String.raw`\b${name[1].replace('$', '\\$')}\s*=\s*(?:${STRING})`).exec(source);
    texts.push(value ? literals(value[0])[0] : `${name[1]}{?}`);
  }
  // label tables reached as translate(TABLE[key]) or through a getter (`EVENT_TO_LABEL = { start: 'Start', … }`)
  all(/\b[A-Z_]*TO_LABEL(?:\$\d+)?\s*=\s*\{([^}]*)\}/, (match) => [...match[1].matchAll(/:\s*'([^']*)'/g)].map((value) => value[1]));
  // the properties panel header names the selected element's type: translate(typeLabel(concrete type)), one per icon
  const icons = /var iconsByType = \{([^}]*)\}/.exec(source);
  if (icons) texts.push(...[...icons[1].matchAll(/'(\w+)':/g)].map((key) => typeLabel(key[1])));
  return texts;
}

let cached: Map<string, string[]> | undefined;

/** Every text → the source files (relative to node_modules) it comes from. */
export function bpmnIoTexts(): Map<string, string[]> {
  if (cached) return cached;
  const texts = new Map<string, string[]>();
  for (const source of SOURCES) {
    for (const file of sourceFiles(join(ROOT, source))) {
      // without comments: they show examples (`translate('HELLO {you}')`) and retired entries
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const text of textsIn(file, code)) {
        if (!text.trim()) continue;
        const files = texts.get(text) ?? [];
        const relative = file.slice(ROOT.length + 1);
        if (!files.includes(relative)) files.push(relative);
        texts.set(text, files);
      }
    }
  }
  cached = texts;
  return texts;
}
