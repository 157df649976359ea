import { formFieldLine, parseFormFieldLine } from '../../../src/workflow-ui/browser/modeler/form-field-lines';

describe('form fields as the modeler edits them (one line each)', () => {
  it('reads name, type, options, required and label', () => {
    expect(parseFormFieldLine('qcResult: enum(pass, fail)* QC result')).toEqual({ name: 'qcResult', type: 'enum', required: true, options: ['pass', 'fail'], label: 'QC result' });
    expect(parseFormFieldLine('approved: boolean*')).toEqual({ name: 'approved', type: 'boolean', required: true });
    expect(parseFormFieldLine('note: string 备注')).toEqual({ name: 'note', type: 'string', required: false, label: '备注' });
  });

  it('reads option names and limits (issue 14 item 9)', () => {
    expect(parseFormFieldLine('qcResult: enum(pass=合格, fail=不合格)* 质检结果')).toEqual({
      name: 'qcResult', type: 'enum', required: true, options: ['pass', 'fail'], optionLabels: { pass: '合格', fail: '不合格' }, label: '质检结果',
    });
    expect(parseFormFieldLine('count: long*{min=1,max=99} 件数')).toEqual({ name: 'count', type: 'long', required: true, limits: { min: '1', max: '99' }, label: '件数' });
  });

  it('a line being typed is a string field of that name', () => {
    expect(parseFormFieldLine('refundAm')).toEqual({ name: 'refundAm', type: 'string', required: false });
  });

  it('writes back what it reads', () => {
    for (const line of ['qcResult: enum(pass=合格,fail=不合格)* 质检结果', 'count: long*{min=1,max=99} 件数', 'qcResult: enum(pass,fail)* QC result', 'refundAmount: money* Amount refunded', 'note: string']) {
      expect(formFieldLine(parseFormFieldLine(line))).toBe(line);
    }
  });
});
