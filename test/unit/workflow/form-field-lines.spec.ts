import { formFieldLine, parseFormFieldLine } from '../../../src/workflow-ui/browser/modeler/form-field-lines';

describe('form fields as the modeler edits them (one line each)', () => {
  it('reads name, type, options, required and label', () => {
    expect(parseFormFieldLine('qcResult: enum(pass, fail)* QC result')).toEqual({ name: 'qcResult', type: 'enum', required: true, options: ['pass', 'fail'], label: 'QC result' });
    expect(parseFormFieldLine('approved: boolean*')).toEqual({ name: 'approved', type: 'boolean', required: true });
    expect(parseFormFieldLine('note: string 备注')).toEqual({ name: 'note', type: 'string', required: false, label: '备注' });
  });

  it('a line being typed is a string field of that name', () => {
    expect(parseFormFieldLine('refundAm')).toEqual({ name: 'refundAm', type: 'string', required: false });
  });

  it('writes back what it reads', () => {
    for (const line of ['qcResult: enum(pass,fail)* QC result', 'refundAmount: money* Amount refunded', 'note: string']) {
      expect(formFieldLine(parseFormFieldLine(line))).toBe(line);
    }
  });
});
