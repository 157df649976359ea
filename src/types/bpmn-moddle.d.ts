declare module 'bpmn-moddle' {
  interface ParseResult {
    rootElement: unknown;
    warnings: Array<{ message: string }>;
  }
  export default class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<ParseResult>;
  }
}
