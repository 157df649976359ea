import { BPMN_ZH_CN } from '../../../src/workflow-ui/browser/modeler/bpmn-zh-CN';
import { translator } from '../../../src/workflow-ui/browser/modeler/bpmn-translate';
import { bpmnIoTexts, typeLabel } from '../../helpers/bpmn-io-texts';

const placeholders = (text: string) => [...text.matchAll(/{([^}]*)}/g)].map((match) => match[1]).sort();

/** Issue 14: the modeler's bpmn-js texts (palette, context pad, menus, properties panel) in Chinese for a zh-CN user. */
describe('bpmn-js in Chinese (the modeler\'s translate module)', () => {
  const texts = bpmnIoTexts();

  it('reads the texts from the installed packages, the indirect ones included', () => {
    // literal calls of each package, a ternary, a concatenation over an array, a label table and a panel header type
    for (const text of ['Create start event', 'Search in diagram', 'General', 'Participant ID', 'Align elements left', 'Exclusive gateway', 'Creating', 'Toggle section', 'List contains {numOfItems} items', '{errors} Errors, {warnings} Warnings', 'Empty pool/participant (removes content)', typeLabel('TimerStartEventNonInterrupting')]) {
      expect(texts.has(text)).toBe(true);
    }
    expect(typeLabel('TimerStartEventNonInterrupting')).toBe('Timer Start Event (Non Interrupting)');
    // nothing the reader could not resolve, nothing from comments or SVG transforms
    expect([...texts.keys()].filter((text) => text.includes('{?}') || text === 'HELLO {you}' || text.includes(' + '))).toEqual([]);
    expect(texts.size).toBeGreaterThan(550);
  });

  it('has a zh-CN text for every text of the installed bpmn-js, diagram-js, properties panel and lint plugin', () => {
    // an upgrade that adds texts lists them here, with where they come from
    const missing = [...texts].filter(([text]) => !(text in BPMN_ZH_CN)).map(([text, files]) => `${text}  (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('keeps every {placeholder} and translates rather than copies', () => {
    const changed = Object.entries(BPMN_ZH_CN).filter(([english, chinese]) => JSON.stringify(placeholders(english)) !== JSON.stringify(placeholders(chinese)));
    expect(changed).toEqual([]);
    // a Chinese text has Chinese (or Chinese punctuation) in it, bar names that stay as they are
    const kept = /^(BPMN|CMMN|DMN|ID|(collectEntries|resultList|singleEntry|singleResult) \(.*\))$/;
    const untranslated = Object.entries(BPMN_ZH_CN).filter(([english, chinese]) => !/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(chinese) && !kept.test(english));
    expect(untranslated).toEqual([]);
  });

  it('fills placeholders in Chinese, and leaves English and unknown texts as bpmn-js writes them', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    expect(zh('Create start event')).toBe('创建开始事件');
    expect(zh('General')).toBe('常规');
    expect(zh('Open {element}', { element: '子流程' })).toBe('打开子流程');
    expect(zh('{errors} Errors, {warnings} Warnings', { errors: '0', warnings: '2' })).toBe('0 个错误，2 个警告');
    expect(zh('List contains {numOfItems} items', { numOfItems: 0 })).toBe('列表包含 0 项');
    expect(zh('Start typing "${}" to create an expression.')).toBe('输入 "${}" 开始编写表达式。');
    expect(zh('A text bpmn-js does not have {x}', {})).toBe('A text bpmn-js does not have {x}');
    expect(en('Create start event')).toBe('Create start event');
    expect(en('Open {element}', { element: 'Sub-process' })).toBe('Open Sub-process');
    expect(en('{errors} Errors, {warnings} Warnings', { errors: '1', warnings: '0' })).toBe('1 Errors, 0 Warnings');
  });
});
